import { randomBytes } from 'node:crypto'
import type { LockEvent } from '@shuttle/server'
import { afterEach, describe, expect, it } from 'vitest'
import { redisUrl } from '../../server/test/helpers/redis-env.js'
import { RedisLocker } from '../src/index.js'
import { connect, type TestClient } from './clients.js'

// What RedisLocker tells metrics (onEvent): waits for a lock another instance holds, and how the
// lock was then taken over. Two lockers on their own connections stand for two instances.
const clients: TestClient[] = []
const lockers: RedisLocker[] = []
afterEach(async () => {
  for (const l of lockers.splice(0)) await l.close()
  for (const c of clients.splice(0)) await c.close()
})

async function instance(
  prefix: string,
  events?: LockEvent[],
): Promise<{ locker: RedisLocker; client: TestClient }> {
  const client = await connect('ioredis', redisUrl())
  clients.push(client)
  const locker = new RedisLocker({
    redis: client.redis,
    prefix,
    ...(events ? { onEvent: (e: LockEvent) => events.push(e) } : {}),
  })
  lockers.push(locker)
  return { locker, client }
}

const uploadId = () => randomBytes(12).toString('base64url')
const prefix = () => `test:events:${randomBytes(4).toString('hex')}:`

describe('RedisLocker onEvent', () => {
  it('a free lock reports nothing; one taken after the holder released on request reports the wait and "released"', async () => {
    const p = prefix()
    const events: LockEvent[] = []
    const a = await instance(p)
    const b = await instance(p, events)
    const id = uploadId()

    const own = b.locker.newLock(uploadId())
    await own.lock(AbortSignal.timeout(5000), () => {})
    await own.unlock()
    expect(events).toEqual([])

    const held = a.locker.newLock(id)
    await held.lock(AbortSignal.timeout(5000), () => void held.unlock())
    const taking = b.locker.newLock(id)
    await taking.lock(AbortSignal.timeout(5000), () => {})
    await taking.unlock()
    expect(events.map((e) => e.type)).toEqual(['waited', 'takeover'])
    expect(events[0]).toMatchObject({ type: 'waited', acquired: true })
    expect(events[1]).toEqual({ type: 'takeover', how: 'released' })
  })

  it('a holder that never unlocks (its key left to expire) reports "expired"; giving up reports acquired: false', async () => {
    const p = prefix()
    const events: LockEvent[] = []
    const b = await instance(p, events)
    const id = uploadId()
    // A dead instance's lock: its key, with 600 ms left and nobody to renew or release it.
    await b.client.raw(['SET', `${p}{${id}}`, 'dead-host/1/x:1', 'PX', '600'])
    const lock = b.locker.newLock(id)
    await lock.lock(AbortSignal.timeout(5000), () => {})
    await lock.unlock()
    expect(events[0]).toMatchObject({ type: 'waited', acquired: true })
    expect((events[0] as { ms: number }).ms).toBeGreaterThan(300)
    expect(events[1]).toEqual({ type: 'takeover', how: 'expired' })

    events.length = 0
    await b.client.raw(['SET', `${p}{${id}}`, 'dead-host/1/x:2', 'PX', '10000'])
    await expect(b.locker.newLock(id).lock(AbortSignal.timeout(300), () => {})).rejects.toMatchObject({
      code: 'ERR_LOCK_TIMEOUT',
    })
    expect(events).toEqual([{ type: 'waited', ms: expect.any(Number), acquired: false }])
  })
})
