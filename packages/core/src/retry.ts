import { HttpStatusError, isUploadError, UploadError } from '@shuttle/protocol'

// The engine's one retry policy (STYLE 3.6): transports throw, this decides.

export type ErrorDisposition =
  | { kind: 'aborted' }
  | { kind: 'auth'; status: number; error: UploadError }
  | { kind: 'retry'; error: UploadError; retryAfter?: number }
  | { kind: 'fatal'; error: UploadError }

/** Wraps anything thrown into an UploadError; nothing else ever reaches users. */
export function toUploadError(err: unknown): UploadError {
  if (isUploadError(err)) return err
  const message = err instanceof Error ? err.message : String(err)
  return new UploadError('ERR_INTERNAL', message, { cause: err })
}

export function classifyError(err: unknown): ErrorDisposition {
  const error = toUploadError(err)
  if (error.code === 'ERR_ABORTED') return { kind: 'aborted' }
  if (error instanceof HttpStatusError && (error.status === 401 || error.status === 403)) {
    return { kind: 'auth', status: error.status, error }
  }
  if (error.retryable) {
    const retryAfter = error instanceof HttpStatusError ? error.retryAfter : undefined
    return retryAfter === undefined ? { kind: 'retry', error } : { kind: 'retry', error, retryAfter }
  }
  return { kind: 'fatal', error }
}

/**
 * Delay before retry number `attempt` (1-based), or undefined when the budget is spent.
 * Configured delays are used as given with ±20 % jitter so that files cut by the same outage don't
 * return in lockstep; a server's Retry-After (ms) is a floor.
 */
export function retryDelay(
  delays: readonly number[],
  attempt: number,
  random: () => number,
  retryAfter?: number,
): number | undefined {
  const base = delays[attempt - 1]
  if (base === undefined) return undefined
  const jittered = Math.round(base * (0.8 + 0.4 * random()))
  return Math.max(jittered, retryAfter ?? 0)
}

/** Parses Retry-After (seconds or HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
