import { UploadError } from '@shuttle/protocol'
import type { Clock } from '../../platform.js'
import type { S3TemporaryCredentials } from './s3-options.js'

/** Refresh this long before expiry: 20 % of the lifetime, at most a minute. */
const MAX_REFRESH_MARGIN_MS = 60_000

export interface CredentialCache {
  /** Valid credentials; the provider is called only when none are cached or they are about to expire. */
  get(): Promise<S3TemporaryCredentials>
  /** S3 refused a request signed with `used` (ExpiredToken, 403): drop them unless already replaced. */
  invalidate(used: S3TemporaryCredentials): void
  /** Provider calls so far. */
  readonly loads: number
}

function expiryOf(c: S3TemporaryCredentials): number {
  if (c.expiration === undefined) return Number.POSITIVE_INFINITY
  const t = c.expiration instanceof Date ? c.expiration.getTime() : new Date(c.expiration).getTime()
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t
}

/**
 * One set of credentials for every file of an uploader. Concurrent callers share one provider call
 * (single-flight), so a batch of parts or files hitting expiry together refreshes once — unlike
 * the seed's VOD SDK, where STS credentials simply ran out mid-upload.
 */
export function createCredentialCache(
  provider: () => Promise<S3TemporaryCredentials>,
  clock: Clock,
): CredentialCache {
  let current: { creds: S3TemporaryCredentials; refreshAt: number } | undefined
  let loading: Promise<S3TemporaryCredentials> | undefined
  let loads = 0

  const load = (): Promise<S3TemporaryCredentials> => {
    loading ??= (async () => {
      loads++
      let creds: S3TemporaryCredentials
      try {
        // Deferred so that a provider throwing synchronously still goes through this finally.
        creds = await Promise.resolve().then(provider)
      } catch (cause) {
        throw new UploadError('ERR_AUTH_EXPIRED', 'getCredentials() failed', { cause, retryable: true })
      } finally {
        loading = undefined
      }
      if (!creds || typeof creds.accessKeyId !== 'string' || typeof creds.secretAccessKey !== 'string') {
        throw new UploadError(
          'ERR_INVALID_OPTIONS',
          'getCredentials() must resolve to { accessKeyId, secretAccessKey, … }',
        )
      }
      const now = clock.now()
      const expiresAt = expiryOf(creds)
      const margin = Math.min(MAX_REFRESH_MARGIN_MS, Math.max(0, (expiresAt - now) * 0.2))
      current = { creds, refreshAt: expiresAt - margin }
      return creds
    })()
    return loading
  }

  return {
    async get() {
      if (current && clock.now() < current.refreshAt) return current.creds
      return load()
    },
    invalidate(used) {
      if (current?.creds === used) current = undefined
    },
    get loads() {
      return loads
    },
  }
}
