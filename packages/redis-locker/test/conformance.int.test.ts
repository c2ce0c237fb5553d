import { describeLocker } from '@shuttle/server/conformance'
import { describe, it } from 'vitest'
import { redisUrl } from '../../server/test/helpers/redis-env.js'
import { RedisLocker } from '../src/index.js'
import { type ClientKind, connect, type TestClient } from './clients.js'

// The Locker conformance suite over a real redis-server, once per client library. `another` is a
// second locker with its own connections: another instance's view of the same Redis.
const TTL = 900

for (const kind of ['ioredis', 'node-redis'] as ClientKind[]) {
  describeLocker(
    `RedisLocker over ${kind}`,
    async () => {
      const clients: TestClient[] = []
      const lockers: RedisLocker[] = []
      const make = async () => {
        const client = await connect(kind, redisUrl())
        clients.push(client)
        const locker = new RedisLocker({ redis: client.redis, ttl: TTL })
        lockers.push(locker)
        return locker
      }
      const locker = await make()
      const admin = clients[0] as TestClient
      return {
        locker,
        another: make,
        // What an expired key taken by another instance looks like to the holder.
        breakLock: async (id) => {
          await admin.raw(['SET', `shuttle:lock:{${id}}`, 'elsewhere:1', 'PX', '60000'])
        },
        lossNoticeMs: TTL,
        close: async () => {
          for (const l of lockers) await l.close()
          for (const c of clients) await c.close()
        },
      }
    },
    { describe, it },
  )
}
