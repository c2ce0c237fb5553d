/**
 * The little the locker needs from a Redis client, so that any client fits through a few lines of
 * adapter: `fromIoredis` and `fromNodeRedis` make one from those libraries' clients.
 *
 * @example
 * const redis: RedisLike = fromIoredis(new Redis('redis://127.0.0.1:6379'))
 */
export interface RedisLike {
  /**
   * Sends one command, e.g. `['EVAL', script, '1', key, arg]`, and resolves with its reply
   * (integers as numbers, bulk strings as strings, arrays as arrays, nil as null); a Redis error
   * or a lost connection rejects.
   */
  command(args: readonly string[]): Promise<unknown>
  /**
   * Opens the connection that receives pub/sub messages (a subscribed connection serves nothing
   * else). The locker opens one and shares it among all its locks.
   */
  subscriber(onMessage: (channel: string, message: string) => void): Promise<RedisSubscriber>
}

/** A pub/sub connection of a `RedisLike`. */
export interface RedisSubscriber {
  subscribe(channel: string): Promise<void>
  unsubscribe(channel: string): Promise<void>
  /** Closes this connection (never the client it was made from). */
  close(): Promise<void>
}
