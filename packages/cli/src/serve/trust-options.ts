import { readFileSync } from 'node:fs'
import { UploadError } from '@shuttle/protocol'
import { DEFAULT_HTTP_LIMITS, type HttpLimits, type QuotaOptions } from '@shuttle/server'
import { parseDuration, parseSize } from '../units.js'

/** The environment variable `shuttle serve` reads the token secret from (keeps it out of `ps`). */
export const AUTH_SECRET_ENV = 'SHUTTLE_AUTH_SECRET'
/** HS256 keys shorter than the hash are guessable offline from one token. */
const MIN_SECRET_BYTES = 32

export const DEFAULT_RATE_LIMIT = { creations: 1000, windowMs: 60_000 } as const
export const DEFAULT_MAX_CONCURRENT = 1000

export const TRUST_HELP = `  --auth-secret SECRET   require upload tokens (Authorization: Bearer <JWT>, see 'shuttle token')
                         signed with SECRET (at least 32 bytes); each upload is then its token
                         subject's alone. Prefer --auth-secret-file or env ${AUTH_SECRET_ENV}:
                         a flag shows in 'ps'
  --auth-secret-file PATH  the same, read from a file (trailing newline ignored)
  --rate-limit N[/DUR]   new uploads per subject (token subject, else client address) per DUR,
                         e.g. 100/1m; 'off' for none (default ${DEFAULT_RATE_LIMIT.creations}/1m); over it: 429 + Retry-After
  --max-concurrent N     unfinished uploads per subject at once; 'off' for none (default ${DEFAULT_MAX_CONCURRENT});
                         over it: 429 + Retry-After
  --quota SIZE           bytes one subject may keep stored, e.g. 5GiB (default: none); over it: 403
  --quota-files N        uploads one subject may keep stored (default: none); over it: 403
  --headers-timeout DUR  time a client has to send request headers (default ${DEFAULT_HTTP_LIMITS.headersTimeout / 1000}s)
  --idle-timeout DUR     close a connection that sends or reads nothing this long; bytes that
                         arrived are kept (default ${DEFAULT_HTTP_LIMITS.idleTimeout / 1000}s)
  --max-connections N    open connections at once; more are closed on arrival (default ${DEFAULT_HTTP_LIMITS.maxConnections})`

export const TRUST_FLAGS = {
  'auth-secret': { type: 'string' },
  'auth-secret-file': { type: 'string' },
  'rate-limit': { type: 'string' },
  'max-concurrent': { type: 'string' },
  quota: { type: 'string' },
  'quota-files': { type: 'string' },
  'headers-timeout': { type: 'string' },
  'idle-timeout': { type: 'string' },
  'max-connections': { type: 'string' },
} as const

type TrustValues = { [K in keyof typeof TRUST_FLAGS]?: string | undefined }

export interface ServeTrustOptions {
  /** Upload tokens are required when set. */
  authSecret: string | undefined
  quotas: QuotaOptions
  http: Required<HttpLimits>
}

const invalid = (message: string) => new UploadError('ERR_INVALID_OPTIONS', message)

/** Reads the trust flags; the secret comes from --auth-secret, --auth-secret-file or the environment. */
export function trustOptions(values: TrustValues, env: NodeJS.ProcessEnv): ServeTrustOptions {
  return {
    authSecret: authSecret(values, env),
    quotas: {
      ...rateLimit(values['rate-limit']),
      ...optional(
        'concurrentUploads',
        count(values['max-concurrent'], 'max-concurrent', DEFAULT_MAX_CONCURRENT),
      ),
      ...optional('storedBytes', values.quota === undefined ? undefined : parseSize(values.quota, 'quota')),
      ...optional('storedFiles', count(values['quota-files'], 'quota-files', undefined)),
    },
    http: {
      headersTimeout: duration(
        values['headers-timeout'],
        'headers-timeout',
        DEFAULT_HTTP_LIMITS.headersTimeout,
      ),
      idleTimeout: duration(values['idle-timeout'], 'idle-timeout', DEFAULT_HTTP_LIMITS.idleTimeout),
      maxConnections:
        count(values['max-connections'], 'max-connections', DEFAULT_HTTP_LIMITS.maxConnections, false) ??
        DEFAULT_HTTP_LIMITS.maxConnections,
      keepAliveTimeout: DEFAULT_HTTP_LIMITS.keepAliveTimeout,
    },
  }
}

function authSecret(values: TrustValues, env: NodeJS.ProcessEnv): string | undefined {
  const flag = values['auth-secret']
  const file = values['auth-secret-file']
  if (flag !== undefined && file !== undefined) {
    throw invalid('--auth-secret and --auth-secret-file: pass one of them')
  }
  let secret = flag ?? env[AUTH_SECRET_ENV]
  let from = flag !== undefined ? '--auth-secret' : AUTH_SECRET_ENV
  if (file !== undefined) {
    try {
      secret = readFileSync(file, 'utf8').replace(/\r?\n$/, '')
    } catch (err) {
      throw invalid(`--auth-secret-file: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? err})`)
    }
    from = '--auth-secret-file'
  }
  if (secret === undefined || secret === '') return undefined
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw invalid(
      `${from}: the secret must be at least ${MIN_SECRET_BYTES} bytes; make one with \`openssl rand -base64 32\``,
    )
  }
  return secret
}

/** `N` (per minute) or `N/DUR`; 'off' for none. */
function rateLimit(value: string | undefined): QuotaOptions {
  if (value === 'off') return {}
  if (value === undefined) return { ...DEFAULT_RATE_LIMIT }
  const [n, window] = value.split('/')
  const creations = count(n, 'rate-limit', undefined, false)
  if (creations === undefined || creations < 1) {
    throw invalid(`--rate-limit: "${value}" is not a limit; try 100/1m, 10/1s or off`)
  }
  return { creations, windowMs: window === undefined ? 60_000 : parseDuration(window, 'rate-limit') }
}

function count(
  value: string | undefined,
  flag: string,
  fallback: number | undefined,
  offAllowed = true,
): number | undefined {
  if (value === undefined) return fallback
  if (offAllowed && value === 'off') return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < 1) {
    throw invalid(`--${flag}: "${value}" is not a positive whole number${offAllowed ? " (or 'off')" : ''}`)
  }
  return n
}

function duration(value: string | undefined, flag: string, fallback: number): number {
  return value === undefined ? fallback : parseDuration(value, flag)
}

function optional<K extends keyof QuotaOptions>(key: K, value: QuotaOptions[K]): Partial<QuotaOptions> {
  return value === undefined ? {} : { [key]: value }
}
