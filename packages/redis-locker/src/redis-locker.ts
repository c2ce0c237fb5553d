import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { HttpError, UploadError } from '@shuttle/protocol'
import {
  isValidUploadId,
  type Lock,
  type LockEvent,
  type Locker,
  MemoryLocker,
  type RequestRelease,
} from '@shuttle/server'
import { Channels } from './channels.js'
import { createLease, type LeaseControl, type RedisLease } from './lease.js'
import type { RedisLike } from './redis-like.js'
import type { LockKeys } from './scripts.js'
import * as scripts from './scripts.js'

export interface RedisLockerOptions {
  /** The Redis to keep locks in: `fromIoredis(client)`, `fromNodeRedis(client)` or your own. */
  redis: RedisLike
  /**
   * Milliseconds a lock lives in Redis without renewal: a holder that dies frees its uploads this
   * long after its last renewal at most. The holder renews every ttl/3 and stops trusting its lock
   * 3/4 ttl after the last renewal it sent that Redis confirmed. Default 10 000.
   */
  ttl?: number
  /** Prefix of every key and channel. Default `shuttle:lock:`. */
  prefix?: string
  /** This process's name in lock values (`<instance>:<fence>`). Default host/pid/random. */
  instance?: string
  /**
   * A waiter tries again at least this often (milliseconds) when no unlock message arrives, and at
   * once when the holder's key expires sooner. Default 250.
   */
  retryInterval?: number
  /** Milliseconds to wait for one Redis command before treating Redis as unreachable. Default 2000. */
  commandTimeout?: number
  /** Milliseconds the per-upload fence counter lives after the upload's last acquisition. Default 7 days. */
  fenceTtl?: number
  /** The clock for lease deadlines (tests). Default `performance.now`. */
  now?: () => number
  /**
   * Told of waits for a lock held elsewhere and of takeovers, for metrics (`createMetrics().lockEvents`
   * from `@shuttle/server/metrics`). Never told upload ids.
   */
  onEvent?: (event: LockEvent) => void
}

interface Held {
  readonly keys: LockKeys
  readonly token: string
  readonly control: LeaseControl
  stop(): void
}

// How often a waiter repeats its release request to the same holder, in case the holder missed it.
const ASK_AGAIN_MS = 500

/**
 * Locks in Redis for several server instances sharing one store (S3, or a shared directory): one
 * writer per upload across every process that uses the same Redis and prefix.
 *
 * - Acquiring is one Lua script: if the lock key is free, INCR the upload's fence counter and
 *   `SET <prefix>{id} <instance>:<fence> PX ttl`. The lease carries that fence.
 * - A waiter asks the holder to release over pub/sub (`r:<holder token>` on `<prefix>{id}:events`),
 *   again every 500 ms while it waits, and tries again as soon as the holder says it unlocked, when
 *   the key is due to expire, or every `retryInterval`. Its signal aborting rejects with
 *   UploadError('ERR_LOCK_TIMEOUT'); Redis not answering rejects with HttpError 503.
 * - The holder renews every ttl/3 (compare-and-PEXPIRE). When the key is gone or someone else's,
 *   or renewals are overdue (Redis unreachable, the process was stopped), the lease is lost:
 *   `lost` aborts and `assertHeld()` throws before the store writes again.
 * - Unlock is a compare-and-delete (never another holder's lock) that tells waiters at once.
 * - Within one process, locks go through a MemoryLocker first: first come, first served, and one
 *   Redis lock per upload per process.
 *
 * @example
 * import { Redis } from 'ioredis'
 * const locker = new RedisLocker({ redis: fromIoredis(new Redis(process.env.REDIS_URL)) })
 * await locker.check() // PING, so a wrong URL fails at startup
 * createTusServer({ store, locker })
 */
export class RedisLocker implements Locker {
  readonly #redis: RedisLike
  readonly #ttl: number
  readonly #prefix: string
  readonly #instance: string
  readonly #retryInterval: number
  readonly #commandTimeout: number
  readonly #fenceTtl: number
  readonly #now: () => number
  readonly #local = new MemoryLocker()
  readonly #channels: Channels
  readonly #onEvent: (event: LockEvent) => void

  constructor(options: RedisLockerOptions) {
    this.#redis = options.redis
    this.#ttl = options.ttl ?? 10_000
    this.#prefix = options.prefix ?? 'shuttle:lock:'
    this.#instance =
      options.instance ?? `${hostname()}/${process.pid}/${randomBytes(6).toString('base64url')}`
    this.#retryInterval = options.retryInterval ?? 250
    this.#commandTimeout = options.commandTimeout ?? 2000
    this.#fenceTtl = options.fenceTtl ?? 7 * 24 * 3600 * 1000
    this.#now = options.now ?? (() => performance.now())
    const onEvent = options.onEvent
    this.#onEvent = (event) => {
      try {
        onEvent?.(event)
      } catch {
        // Metrics must not break locking.
      }
    }
    if (!options.redis || typeof options.redis.command !== 'function') {
      throw new UploadError(
        'ERR_INVALID_OPTIONS',
        "RedisLocker needs 'redis': wrap your client with fromIoredis(client) or fromNodeRedis(client)",
      )
    }
    if (!(this.#ttl >= 300) || !(this.#retryInterval > 0) || !(this.#commandTimeout > 0)) {
      throw new UploadError(
        'ERR_INVALID_OPTIONS',
        "RedisLocker needs 'ttl' >= 300 ms and positive 'retryInterval' and 'commandTimeout'",
      )
    }
    this.#channels = new Channels(this.#redis)
  }

  /** Throws UploadError('ERR_INVALID_OPTIONS') saying why when Redis does not answer PING. */
  async check(): Promise<void> {
    try {
      const reply = await this.#bounded(this.#redis.command(['PING']))
      if (reply !== 'PONG') throw new Error(`it answered ${String(reply)} to PING`)
    } catch (err) {
      throw new UploadError(
        'ERR_INVALID_OPTIONS',
        `Redis is unreachable (${err instanceof Error ? err.message : String(err)}); check the Redis URL and that the server runs`,
        { cause: err },
      )
    }
  }

  /** Closes the pub/sub connection this locker opened (not the client it was given). */
  async close(): Promise<void> {
    await this.#channels.close()
  }

  newLock(id: string): Lock {
    if (!isValidUploadId(id)) throw new UploadError('ERR_INVALID_OPTIONS', `Not an upload id: ${id}`)
    const local = this.#local.newLock(id)
    let held: Held | undefined
    return {
      lock: async (signal, requestRelease): Promise<RedisLease> => {
        await local.lock(signal, requestRelease)
        try {
          held = await this.#acquire(id, signal, requestRelease)
        } catch (err) {
          await local.unlock()
          throw err
        }
        return held.control.lease
      },
      unlock: async () => {
        const h = held
        held = undefined
        if (!h) return
        try {
          h.stop()
          // Unreachable Redis: the key expires by itself within ttl.
          await this.#bounded(scripts.release(this.#redis, h.keys, h.token)).catch(() => {})
        } finally {
          await local.unlock()
        }
      },
    }
  }

  async #acquire(id: string, signal: AbortSignal, requestRelease: RequestRelease): Promise<Held> {
    const keys = scripts.lockKeys(this.#prefix, id)
    let token: string | undefined
    // Release requests that arrive before our acquisition's reply tells us our own token.
    const askedEarly = new Set<string>()
    let wake: (() => void) | undefined
    // For metrics: since when we wait, and whether the holder said it unlocked (else its key expired).
    let waitingSince: number | undefined
    let unlockHeard = false
    const listening = this.#channels.listen(keys.channel, (message) => {
      if (message.startsWith('u:')) {
        unlockHeard = true
        wake?.()
      } else if (message.startsWith('r:')) {
        const target = message.slice(2)
        if (token === undefined) askedEarly.add(target)
        else if (target === token) callSafely(requestRelease)
      }
    })
    try {
      let subscribed = false
      let asked: { holder: string; at: number } | undefined
      for (;;) {
        if (signal.aborted) throw timeoutError(id, signal)
        const sentAt = this.#now()
        const result = await this.#attempt(id, keys, signal)
        if (result.acquired) {
          if (waitingSince !== undefined) {
            this.#onEvent({ type: 'waited', ms: this.#now() - waitingSince, acquired: true })
            this.#onEvent({ type: 'takeover', how: unlockHeard ? 'released' : 'expired' })
          }
          token = `${this.#instance}:${result.fence}`
          const held = this.#hold(id, keys, token, result.fence, sentAt, listening.stop)
          if (askedEarly.has(token)) queueMicrotask(() => callSafely(requestRelease))
          return held
        }
        waitingSince ??= sentAt
        if (!subscribed) {
          // From now on an unlock message reaches us; try again at once in case it came before.
          subscribed = true
          await raceAbort(
            listening.ready.catch(() => {}), // no subscription: the retries below still find the lock free
            signal,
            id,
          )
          continue
        }
        if (asked?.holder !== result.holder || this.#now() - asked.at >= ASK_AGAIN_MS) {
          asked = { holder: result.holder, at: this.#now() }
          scripts.requestRelease(this.#redis, keys, result.holder).catch(() => {})
        }
        const untilExpiry = result.pttl >= 0 ? result.pttl + 1 : this.#retryInterval
        await sleep(Math.min(untilExpiry, this.#retryInterval), signal, (w) => {
          wake = w
        })
      }
    } catch (err) {
      listening.stop()
      if (waitingSince !== undefined)
        this.#onEvent({ type: 'waited', ms: this.#now() - waitingSince, acquired: false })
      throw err
    }
  }

  /** One try of the acquire script, within the signal and the command timeout. */
  #attempt(id: string, keys: LockKeys, signal: AbortSignal): Promise<scripts.Acquired> {
    const attempt = scripts.acquire(this.#redis, keys, this.#instance, this.#ttl, this.#fenceTtl)
    // An answer that comes after we gave up must not leave a lock nobody renews or releases.
    const abandon = () =>
      attempt.then(
        (r) => {
          if (r.acquired) scripts.release(this.#redis, keys, `${this.#instance}:${r.fence}`).catch(() => {})
        },
        () => {},
      )
    return new Promise((resolve, reject) => {
      let settled = false
      const finish = (fn: () => void) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        signal.removeEventListener('abort', onAbort)
        fn()
      }
      const onAbort = () =>
        finish(() => {
          abandon()
          reject(timeoutError(id, signal))
        })
      const timer = setTimeout(
        () =>
          finish(() => {
            abandon()
            reject(unavailable(new Error(`no answer within ${this.#commandTimeout} ms`)))
          }),
        this.#commandTimeout,
      )
      signal.addEventListener('abort', onAbort, { once: true })
      attempt.then(
        (r) => finish(() => resolve(r)),
        (err: unknown) => finish(() => reject(unavailable(err))),
      )
    })
  }

  #hold(id: string, keys: LockKeys, token: string, fence: number, sentAt: number, stopListening: () => void) {
    const control = createLease(id, fence, (this.#ttl * 3) / 4, sentAt, this.#now)
    let renewing = false
    const renewOnce = () => {
      if (renewing || control.lease.lost.aborted) return
      renewing = true
      const at = this.#now()
      this.#bounded(scripts.renew(this.#redis, keys, token, this.#ttl))
        .then(
          (ours) => {
            if (ours) control.renewed(at)
            else control.lose('its key in Redis expired or another instance took it')
          },
          () => {
            // Redis unreachable: the lease runs out at its deadline unless a later renewal gets through.
          },
        )
        .finally(() => {
          renewing = false
        })
    }
    const timer = setInterval(renewOnce, this.#ttl / 3)
    timer.unref?.()
    control.lease.lost.addEventListener('abort', () => clearInterval(timer), { once: true })
    return {
      keys,
      token,
      control,
      stop: () => {
        clearInterval(timer)
        stopListening()
        control.lose('unlocked')
      },
    } satisfies Held
  }

  #bounded<T>(p: Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Redis gave no answer within ${this.#commandTimeout} ms`)),
        this.#commandTimeout,
      )
      p.then(resolve, reject).finally(() => clearTimeout(timer))
    })
  }
}

function sleep(ms: number, signal: AbortSignal, setWake: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      setWake(() => {})
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
    setWake(done)
  })
}

function raceAbort(p: Promise<unknown>, signal: AbortSignal, id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(timeoutError(id, signal))
    signal.addEventListener('abort', onAbort, { once: true })
    p.then(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    })
  })
}

function callSafely(fn: RequestRelease): void {
  try {
    fn()
  } catch {
    // A holder's release callback must not break the locker.
  }
}

function timeoutError(id: string, signal: AbortSignal): UploadError {
  return new UploadError('ERR_LOCK_TIMEOUT', `Timed out waiting for the lock on upload ${id}`, {
    cause: signal.reason,
    retryable: true,
  })
}

function unavailable(err: unknown): HttpError {
  const why = err instanceof Error ? err.message : String(err)
  return new HttpError(
    'ERR_INTERNAL',
    503,
    `The lock service (Redis) is unreachable (${why}); nothing was changed. Retry in a moment.`,
    { cause: err, retryable: true, headers: { 'Retry-After': '1' } },
  )
}
