import type { RedisLike, RedisSubscriber } from './redis-like.js'

interface Channel {
  listeners: Set<(message: string) => void>
  ready: Promise<void>
  failed: boolean
}

/**
 * The locker's one pub/sub connection, shared by all its locks: a channel is subscribed while at
 * least one lock listens on it and unsubscribed when the last one stops.
 */
export class Channels {
  readonly #redis: RedisLike
  readonly #channels = new Map<string, Channel>()
  #subscriber: Promise<RedisSubscriber> | undefined

  constructor(redis: RedisLike) {
    this.#redis = redis
  }

  /**
   * Calls `fn` with each message on `channel` until `stop()`. `ready` resolves once Redis has the
   * subscription (messages published after that reach `fn`) and rejects when it could not be made.
   */
  listen(channel: string, fn: (message: string) => void): { ready: Promise<void>; stop(): void } {
    let entry = this.#channels.get(channel)
    if (!entry || entry.failed) {
      const listeners = entry?.listeners ?? new Set()
      const created: Channel = { listeners, failed: false, ready: Promise.resolve() }
      created.ready = this.#connection()
        .then((s) => s.subscribe(channel))
        .catch((err: unknown) => {
          created.failed = true // the next listener tries again
          throw err
        })
      created.ready.catch(() => {}) // callers that care await `ready`
      this.#channels.set(channel, created)
      entry = created
    }
    const current = entry
    current.listeners.add(fn)
    let stopped = false
    return {
      ready: current.ready,
      stop: () => {
        if (stopped) return
        stopped = true
        current.listeners.delete(fn)
        if (current.listeners.size > 0 || this.#channels.get(channel) !== current) return
        this.#channels.delete(channel)
        // Sent after any earlier SUBSCRIBE of this channel (same connection, same order).
        this.#connection()
          .then((s) => s.unsubscribe(channel))
          .catch(() => {})
      },
    }
  }

  async close(): Promise<void> {
    const subscriber = this.#subscriber
    this.#subscriber = undefined
    this.#channels.clear()
    if (subscriber) await subscriber.then((s) => s.close()).catch(() => {})
  }

  #connection(): Promise<RedisSubscriber> {
    if (!this.#subscriber) {
      const opening = this.#redis.subscriber((channel, message) => {
        for (const fn of [...(this.#channels.get(channel)?.listeners ?? [])]) fn(message)
      })
      this.#subscriber = opening
      // Could not connect: the next lock tries again rather than inheriting the failure.
      opening.catch(() => {
        if (this.#subscriber === opening) this.#subscriber = undefined
      })
    }
    return this.#subscriber
  }
}
