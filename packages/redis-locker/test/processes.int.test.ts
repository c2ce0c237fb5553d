import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { newUploadId } from '@shuttle/server'
import { afterEach, describe, expect, it } from 'vitest'
import { redisUrl } from '../../server/test/helpers/redis-env.js'
import { type RedisLease, RedisLocker } from '../src/index.js'
import { connect, type TestClient } from './clients.js'

// Another process (ioredis, the built package) holds a lock; this one (node-redis) wants it.
const HOLDER = fileURLToPath(new URL('./fixtures/holder.mjs', import.meta.url))
const TTL = 3000

interface Holder {
  child: ChildProcessWithoutNullStreams
  next(): Promise<Record<string, unknown>>
}

const children: ChildProcessWithoutNullStreams[] = []
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  for (const fn of cleanups.splice(0)) await fn()
})

function startHolder(id: string): Holder {
  const child = spawn(process.execPath, [HOLDER, redisUrl(), id, String(TTL)])
  children.push(child)
  let stderr = ''
  child.stderr.on('data', (c) => {
    stderr += c
  })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  return {
    child,
    next: async () => {
      const { value, done } = await lines.next()
      if (done) throw new Error(`holder ${child.pid} exited: ${stderr}`)
      return JSON.parse(value) as Record<string, unknown>
    },
  }
}

async function locker(): Promise<RedisLocker> {
  const client: TestClient = await connect('node-redis', redisUrl())
  const l = new RedisLocker({ redis: client.redis, ttl: TTL })
  cleanups.push(async () => {
    await l.close()
    await client.close()
  })
  return l
}

describe('RedisLocker across processes', () => {
  it(`a SIGKILLed holder's lock is free within ttl + 0.5 s (ttl ${TTL} ms), not before it expires`, async () => {
    const id = newUploadId()
    const holder = startHolder(id)
    const { held } = await holder.next()
    expect(held).toEqual(expect.any(Number))
    const mine = await locker()
    const lock = mine.newLock(id)
    holder.child.kill('SIGKILL')
    const killedAt = performance.now()
    let asked = 0
    const lease = (await lock.lock(AbortSignal.timeout(TTL + 5000), () => asked++)) as RedisLease
    const waited = performance.now() - killedAt
    // The holder renewed at most ttl/3 before it died, so its key had at least ~2/3 ttl left.
    expect(waited).toBeGreaterThan(TTL / 2)
    expect(waited).toBeLessThan(TTL + 500)
    expect(lease.fence).toBeGreaterThan(held as number)
    expect(asked).toBe(0)
    await lock.unlock()
  })

  it('a waiter in another process reaches the holder, which releases: the lock changes hands in < 1 s', async () => {
    const id = newUploadId()
    const holder = startHolder(id)
    const { held } = await holder.next()
    const mine = await locker()
    const lock = mine.newLock(id)
    const started = performance.now()
    const lease = (await lock.lock(AbortSignal.timeout(TTL), () => {})) as RedisLease
    const waited = performance.now() - started
    expect(await holder.next()).toEqual({ asked: true })
    expect(await holder.next()).toEqual({ released: true })
    expect(waited).toBeLessThan(1000)
    expect(lease.fence).toBe((held as number) + 1)
    lease.assertHeld()
    await lock.unlock()
  })
})
