import { isUploadError, UploadError } from '@shuttle/protocol'
import type { FileId } from '../types.js'

export interface AuthGate {
  /** Current generation; a request remembers it so a 401 that predates a refresh just retries. */
  readonly generation: number
  /**
   * Refreshes credentials once for everyone: concurrent callers share one onAuthExpired promise.
   * Resolves true when a refresh (this one or a newer one) happened; false when there is no hook.
   */
  refresh(ctx: { id: FileId; status: number }, seenGeneration: number): Promise<boolean>
}

export function createAuthGate(
  hook: ((ctx: { id: FileId; status: number }) => Promise<void>) | undefined,
): AuthGate {
  let generation = 0
  let inFlight: Promise<void> | undefined
  return {
    get generation() {
      return generation
    },
    async refresh(ctx, seen) {
      if (!hook) return false
      if (seen < generation) return true
      if (!inFlight) {
        inFlight = (async () => {
          try {
            await hook(ctx)
            generation++
          } catch (cause) {
            // A hook that throws a retryable error (NetworkError: its token endpoint was
            // unreachable) lets the engine back off and ask again; anything else fails the file.
            const said = cause instanceof Error ? `: ${cause.message}` : ''
            throw new UploadError('ERR_AUTH_EXPIRED', `Refreshing credentials failed${said}`, {
              cause,
              retryable: isUploadError(cause) && cause.retryable,
            })
          } finally {
            inFlight = undefined
          }
        })()
      }
      await inFlight
      return true
    },
  }
}
