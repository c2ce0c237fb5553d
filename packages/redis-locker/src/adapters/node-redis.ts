import type { RedisLike, RedisSubscriber } from '../redis-like.js'

/** The part of a node-redis client (`createClient({ url })`, redis 5 or 6) the adapter uses. */
export interface NodeRedisClient {
  sendCommand(args: string[]): Promise<unknown>
  duplicate(): NodeRedisConnection
}

/** A duplicated node-redis connection, used for pub/sub only. */
export interface NodeRedisConnection {
  connect(): Promise<unknown>
  subscribe(channel: string, listener: (message: string, channel: string) => void): Promise<unknown>
  unsubscribe(channel: string): Promise<unknown>
  on(event: 'error', listener: (err: Error) => void): unknown
  close(): Promise<unknown>
}

/**
 * A `RedisLike` over a connected node-redis client. Commands go through `client.sendCommand`;
 * pub/sub messages come on a `client.duplicate()` connection, which node-redis reconnects and
 * resubscribes by itself.
 *
 * @example
 * import { createClient } from 'redis'
 * const client = await createClient({ url: process.env.REDIS_URL }).connect()
 * const locker = new RedisLocker({ redis: fromNodeRedis(client) })
 */
export function fromNodeRedis(client: NodeRedisClient): RedisLike {
  return {
    command: (args) => client.sendCommand([...args]),
    subscriber: async (onMessage): Promise<RedisSubscriber> => {
      const connection = client.duplicate()
      // node-redis throws an 'error' event nobody listens to; the connection reconnects by itself.
      connection.on('error', () => {})
      await connection.connect()
      return {
        subscribe: async (channel) => {
          await connection.subscribe(channel, (message, from) => onMessage(from, message))
        },
        unsubscribe: async (channel) => {
          await connection.unsubscribe(channel)
        },
        close: async () => {
          await connection.close()
        },
      }
    },
  }
}
