import { randomBytes } from 'node:crypto'
import { waitUntil } from '@shuttle/server/conformance'
import { afterEach, describe, expect, it } from 'vitest'
import { redisUrl } from '../../server/test/helpers/redis-env.js'
import { RedisLocker } from '../src/index.js'
import { type ClientKind, connect, type TestClient } from './clients.js'

// A duty claimed across instances (the server's expiry sweep): one holder until the claim runs out.
const open: TestClient[] = []
afterEach(async () => {
  for (const c of open.splice(0)) await c.close()
})

for (const kind of ['ioredis', 'node-redis'] as ClientKind[]) {
  describe(`RedisLocker.claim over ${kind}`, () => {
    it('one of two instances gets a duty; the other gets it once the claim ran out', async () => {
      const lockers = await Promise.all(
        ['a', 'b'].map(async (instance) => {
          const client = await connect(kind, redisUrl())
          open.push(client)
          return new RedisLocker({ redis: client.redis, instance })
        }),
      )
      const [a, b] = lockers as [RedisLocker, RedisLocker]
      const duty = `sweep-${randomBytes(4).toString('hex')}`
      const first = await Promise.all([a.claim(duty, 400), b.claim(duty, 400)])
      expect(first.filter(Boolean)).toHaveLength(1)
      expect(await a.claim(duty, 400)).toBe(false)
      const admin = open[0] as TestClient
      expect(await admin.raw(['GET', `shuttle:lock:duty:${duty}`])).toBe(first[0] ? 'a' : 'b')
      // Expired (PX): free again, for whoever asks first.
      await admin.raw(['PEXPIRE', `shuttle:lock:duty:${duty}`, '1'])
      await waitUntil(
        async () => (await admin.raw(['EXISTS', `shuttle:lock:duty:${duty}`])) === 0,
        2000,
        'the claim expired',
      )
      expect(await b.claim(duty, 400)).toBe(true)
    })

    it("busy: true while another instance holds an upload's lock, false once it unlocked", async () => {
      const clients = await Promise.all([connect(kind, redisUrl()), connect(kind, redisUrl())])
      open.push(...clients)
      const [a, b] = clients.map((c) => new RedisLocker({ redis: c.redis }))
      const id = randomBytes(12).toString('hex')
      expect(await b!.busy(id)).toBe(false)
      const lock = a!.newLock(id)
      await lock.lock(AbortSignal.timeout(5000), () => {})
      expect(await b!.busy(id)).toBe(true)
      await lock.unlock()
      expect(await b!.busy(id)).toBe(false)
      await a!.close()
      await b!.close()
    })
  })
}
