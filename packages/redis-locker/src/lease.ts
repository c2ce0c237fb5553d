import { HttpError } from '@shuttle/protocol'
import type { Lease } from '@shuttle/server'

/** A lease on an upload's Redis lock. */
export interface RedisLease extends Lease {
  /**
   * The fencing token: larger for each later acquisition of this upload's lock (while Redis keeps
   * the counter; see the README). A store that accepts writes only with a fence at least as large
   * as the last one it saw shuts out a holder that lost its lease without knowing.
   */
  readonly fence: number
}

export interface LeaseControl {
  readonly lease: RedisLease
  /** Redis confirmed the lock after a request sent at `sentAt` (a `now()` reading). */
  renewed(sentAt: number): void
  lose(why: string): void
}

/**
 * A lease trusted for `validFor` ms after the request that last confirmed it was *sent* (Redis set
 * the key's expiry later than that, so the key outlives the trust). Past that without a renewal,
 * `lost` aborts by itself: a holder whose renewals hang (Redis gone) stops at its deadline, and
 * `assertHeld()` refuses even before the timer runs (a stopped process that was just resumed).
 */
export function createLease(
  id: string,
  fence: number,
  validFor: number,
  sentAt: number,
  now: () => number = () => performance.now(),
): LeaseControl {
  const controller = new AbortController()
  let deadline = sentAt + validFor
  let timer: ReturnType<typeof setTimeout> | undefined
  const lostError = (why: string) =>
    new HttpError(
      'ERR_LEASE_LOST',
      423,
      `The lock on upload ${id} was lost (${why}); nothing more was stored. HEAD the upload to learn its offset.`,
      { retryable: true },
    )
  const lose = (why: string) => {
    clearTimeout(timer)
    if (!controller.signal.aborted) controller.abort(why)
  }
  const watch = () => {
    const left = deadline - now()
    if (left <= 0) {
      lose('its renewal is overdue')
      return
    }
    timer = setTimeout(watch, left)
    timer.unref?.()
  }
  watch()
  return {
    lease: {
      fence,
      lost: controller.signal,
      assertHeld() {
        if (controller.signal.aborted) throw lostError(String(controller.signal.reason ?? 'released'))
        if (now() > deadline) {
          lose('its renewal is overdue')
          throw lostError('its renewal is overdue')
        }
      },
    },
    renewed(at) {
      if (!controller.signal.aborted) deadline = Math.max(deadline, at + validFor)
    },
    lose,
  }
}
