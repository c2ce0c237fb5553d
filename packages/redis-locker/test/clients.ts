import { Redis } from 'ioredis'
import { createClient } from 'redis'
import { fromIoredis, fromNodeRedis, type RedisLike } from '../src/index.js'

/** A Redis client of one of the two libraries, as a RedisLike, with its own connection. */
export interface TestClient {
  redis: RedisLike
  /** A raw command on the same server (to break locks, read keys). */
  raw(args: string[]): Promise<unknown>
  close(): Promise<void>
}

export type ClientKind = 'ioredis' | 'node-redis'

export async function connect(kind: ClientKind, url: string): Promise<TestClient> {
  if (kind === 'ioredis') {
    const client = new Redis(url, { maxRetriesPerRequest: 2, retryStrategy: () => 50 })
    client.on('error', () => {}) // a restarted server: ioredis reconnects
    return {
      redis: fromIoredis(client),
      raw: ([name, ...args]) => client.call(name as string, ...args),
      close: async () => {
        client.disconnect()
      },
    }
  }
  const client = createClient({ url, socket: { reconnectStrategy: () => 50 } })
  client.on('error', () => {})
  await client.connect()
  return {
    redis: fromNodeRedis(client),
    raw: (args) => client.sendCommand(args),
    close: async () => {
      client.destroy()
    },
  }
}
