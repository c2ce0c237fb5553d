import { HttpError } from '@shuttle/protocol'
import { newUploadId } from '@shuttle/server'
import { waitUntil } from '@shuttle/server/conformance'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort } from '../../../test/services/free-port.js'
import { RedisLocker } from '../src/index.js'
import { type ClientKind, connect } from './clients.js'
import { startRedisServer } from './redis-server.js'

// Redis without persistence restarted under a holder: the lock is gone, so the holder must learn
// it lost its lease before it writes again; once Redis is back, locks work again.
const TTL = 1200
const stops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

async function setup(kind: ClientKind) {
  const port = await freePort()
  let server = await startRedisServer(port)
  stops.push(() => server.stop())
  const client = await connect(kind, server.url)
  const locker = new RedisLocker({ redis: client.redis, ttl: TTL, commandTimeout: 400 })
  stops.push(async () => {
    await locker.close()
    await client.close()
  })
  return {
    locker,
    client,
    /** Another instance on the same Redis. */
    another: async () => {
      const c = await connect(kind, server.url)
      const l = new RedisLocker({ redis: c.redis, ttl: TTL, commandTimeout: 400 })
      stops.push(async () => {
        await l.close()
        await c.close()
      })
      return l
    },
    stopRedis: () => server.stop(),
    startRedis: async () => {
      server = await startRedisServer(port)
    },
  }
}

for (const kind of ['ioredis', 'node-redis'] as ClientKind[]) {
  describe(`RedisLocker over ${kind} when Redis restarts`, () => {
    it('Redis down: the lease is lost within 3/4 ttl; new locks fail fast (503); back up, locks work', async () => {
      const { locker, stopRedis, startRedis } = await setup(kind)
      const lock = locker.newLock(newUploadId())
      const lease = await lock.lock(AbortSignal.timeout(2000), () => {})
      await stopRedis()
      const stoppedAt = performance.now()
      await waitUntil(() => lease.lost.aborted, TTL, 'the holder notices its lease is gone')
      expect(performance.now() - stoppedAt).toBeLessThanOrEqual((TTL * 3) / 4 + 100)
      expect(() => lease.assertHeld()).toThrow(HttpError)

      const other = locker.newLock(newUploadId())
      const failed = await other
        .lock(AbortSignal.timeout(5000), () => {})
        .then(
          () => 'acquired',
          (err: unknown) => (err instanceof HttpError ? `${err.status} ${err.message}` : String(err)),
        )
      expect(failed).toMatch(/^503 The lock service \(Redis\) is unreachable/)

      await startRedis()
      await lock.unlock() // its key died with the old server: harmless
      const again = locker.newLock(newUploadId())
      const fresh = await again.lock(AbortSignal.timeout(5000), () => {})
      fresh.assertHeld()
      await again.unlock()
    })

    it('Redis restarted at once (empty): the holder learns at its next renewal that its key is gone', async () => {
      const { locker, client, another, stopRedis, startRedis } = await setup(kind)
      const id = newUploadId()
      const lock = locker.newLock(id)
      const lease = await lock.lock(AbortSignal.timeout(2000), () => {})
      await stopRedis()
      await startRedis()
      await waitUntil(() => lease.lost.aborted, TTL, 'the holder notices its lease is gone')
      expect(String(lease.lost.reason)).toMatch(/key in Redis expired or another instance took it/)
      expect(() => lease.assertHeld()).toThrow(
        expect.objectContaining({ code: 'ERR_LEASE_LOST', status: 423 }) as unknown as Error,
      )
      // Another instance can lock the upload; the old holder's unlock does not free its lock.
      const next = (await another()).newLock(id)
      const nextLease = await next.lock(AbortSignal.timeout(5000), () => {})
      await lock.unlock()
      expect(await client.raw(['EXISTS', `shuttle:lock:{${id}}`])).toBe(1)
      nextLease.assertHeld()
      await next.unlock()
    })
  })
}
