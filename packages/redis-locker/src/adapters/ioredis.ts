import type { RedisLike, RedisSubscriber } from '../redis-like.js'

/** The part of an ioredis client (`new Redis(url)`, ioredis 5 or 6) the adapter uses. */
export interface IoredisClient {
  call(command: string, ...args: string[]): Promise<unknown>
  duplicate(): IoredisConnection
}

/** A duplicated ioredis connection, used for pub/sub only. */
export interface IoredisConnection {
  subscribe(...channels: string[]): Promise<unknown>
  unsubscribe(...channels: string[]): Promise<unknown>
  on(event: 'message', listener: (channel: string, message: string) => void): unknown
  on(event: 'error', listener: (err: Error) => void): unknown
  quit(): Promise<unknown>
}

/**
 * A `RedisLike` over an ioredis client. Commands go through `client.call`; pub/sub messages come on
 * a `client.duplicate()` connection, which ioredis reconnects and resubscribes by itself.
 *
 * @example
 * import { Redis } from 'ioredis'
 * const locker = new RedisLocker({ redis: fromIoredis(new Redis(process.env.REDIS_URL)) })
 */
export function fromIoredis(client: IoredisClient): RedisLike {
  return {
    command: ([name, ...args]) => {
      if (name === undefined) return Promise.reject(new Error('An empty Redis command'))
      return client.call(name, ...args)
    },
    subscriber: async (onMessage): Promise<RedisSubscriber> => {
      const connection = client.duplicate()
      connection.on('message', onMessage)
      // Its errors (a restarting server) are the reconnect's business; unheard they would be logged
      // by ioredis as unhandled.
      connection.on('error', () => {})
      return {
        subscribe: async (channel) => {
          await connection.subscribe(channel)
        },
        unsubscribe: async (channel) => {
          await connection.unsubscribe(channel)
        },
        close: async () => {
          await connection.quit()
        },
      }
    },
  }
}
