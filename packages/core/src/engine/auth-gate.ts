import { isUploadError, UploadError } from '@shuttle/protocol'
import type { FileId } from '../types.js'

export interface AuthGate {
  /** Current generation; a request remembers it so a 401 that predates a refresh just retries. */
  readonly generation: number
  /**
   * Refreshes credentials once for everyone: concurrent callers share one onAuthExpired promise.
   * Resolves true when a refresh (this one or a newer one) happened; false when there is no hook
   * or the hook said it has no new credentials (resolved `false`).
   */
  refresh(ctx: { id: FileId; status: number }, seenGeneration: number): Promise<boolean>
}

export function createAuthGate(
  // biome-ignore lint/suspicious/noConfusingVoidType: an `async () => {}` hook resolves void
  hook: ((ctx: { id: FileId; status: number }) => Promise<void | false>) | undefined,
): AuthGate {
  let generation = 0
  let inFlight: Promise<boolean> | undefined
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
            if ((await hook(ctx)) === false) return false
            generation++
            return true
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
      return inFlight
    },
  }
}
