import { isUploadError } from '@shuttle/protocol'
import { newUploadId } from '@shuttle/server'
import { waitUntil } from '@shuttle/server/conformance'
import { afterEach, describe, expect, it } from 'vitest'
import { redisUrl } from '../../server/test/helpers/redis-env.js'
import { type RedisLike, RedisLocker } from '../src/index.js'
import { connect, type TestClient } from './clients.js'

// A lock attempt whose answer comes after the waiter gave up (its signal aborted, or Redis was
// slower than commandTimeout) must not leave a lock that nobody renews or releases.
const clients: TestClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close()
})

/** The real client, with each EVAL's answer held back until `let go`. */
function slowEvals(redis: RedisLike) {
  const held: (() => void)[] = []
  const wrapped: RedisLike = {
    subscriber: (fn) => redis.subscriber(fn),
    command: async (args) => {
      const reply = await redis.command(args)
      if (args[0] === 'EVAL' && /INCR/.test(args[1] ?? '')) {
        await new Promise<void>((resolve) => held.push(resolve))
      }
      return reply
    },
  }
  const letGo = () => {
    for (const r of held.splice(0)) r()
  }
  return { wrapped, letGo, pending: () => held.length }
}

describe('RedisLocker: an attempt answered too late', () => {
  for (const why of ['signal', 'commandTimeout'] as const) {
    it(`gives the lock back when the waiter gave up first (${why})`, async () => {
      const client = await connect('ioredis', redisUrl())
      clients.push(client)
      const slow = slowEvals(client.redis)
      const locker = new RedisLocker({ redis: slow.wrapped, commandTimeout: why === 'signal' ? 5000 : 200 })
      const id = newUploadId()
      const key = `shuttle:lock:{${id}}`
      const controller = new AbortController()
      const attempt = locker.newLock(id).lock(controller.signal, () => {})
      await waitUntil(() => slow.pending() === 1, 2000, 'the acquire script ran in Redis')
      // Redis has granted it: the key is set, the answer is on its way.
      expect(await client.raw(['EXISTS', key])).toBe(1)
      if (why === 'signal') controller.abort()
      const outcome = await attempt.then(
        () => 'acquired',
        (err: unknown) => (isUploadError(err) ? err.code : String(err)),
      )
      expect(outcome).toBe(why === 'signal' ? 'ERR_LOCK_TIMEOUT' : 'ERR_INTERNAL')
      slow.letGo()
      await waitUntil(async () => (await client.raw(['EXISTS', key])) === 0, 2000, 'the late lock is deleted')
      await locker.close()
    })
  }
})
