import type { IncomingMessage } from 'node:http'
import { HttpError } from '@shuttle/protocol'
import { errors, jwtVerify, SignJWT } from 'jose'

/**
 * Upload tokens are JWTs (RFC 7519) signed with HS256 by the app's backend for one user. The
 * audience is fixed so that another JWT signed with the same secret (a session token, say) is
 * never taken for an upload token.
 */
export const UPLOAD_TOKEN_AUDIENCE = 'shuttle-upload'
const ALG = 'HS256'
/** HS256 keys shorter than the hash output are guessable offline from one token (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32

/** What a token may allow beyond "this subject may upload"; every limit is optional. */
export interface UploadTokenLimits {
  /** Largest single upload, in bytes. */
  readonly maxFileSize?: number
  /** Bytes this subject may keep stored in all (finished and unfinished uploads). */
  readonly maxTotalBytes?: number
  /** Allowed types: MIME types (`image/png`), wildcards (`image/*`) or extensions (`.pdf`). */
  readonly types?: readonly string[]
  /** Uploads this subject may keep stored. */
  readonly maxFiles?: number
}

export interface IssueUploadTokenOptions extends UploadTokenLimits {
  /** Who the uploads belong to (the app's user id). */
  readonly sub: string
  /** Lifetime: seconds, or a duration such as '30s', '10m', '2h', '7d'. Default '1h'. */
  readonly expiresIn?: number | string
  /**
   * Uploads created with this token may be downloaded (GET) by anyone who has their URL, without
   * a token: for share links. Every other request stays the owner's. Default false.
   */
  readonly publicRead?: boolean
}

export interface UploadToken {
  readonly sub: string
  /** Epoch milliseconds. */
  readonly expiresAt: number
  readonly limits: UploadTokenLimits
  /** Uploads created with this token are publicly downloadable (see IssueUploadTokenOptions). */
  readonly publicRead?: boolean
}

type Secret = string | Uint8Array

/**
 * Signs an upload token for one subject.
 *
 * @example
 * const token = await issueUploadToken(process.env.UPLOAD_SECRET, { sub: user.id, expiresIn: '10m', maxFileSize: 2 ** 30 })
 */
export async function issueUploadToken(secret: Secret, options: IssueUploadTokenOptions): Promise<string> {
  const key = secretKey(secret)
  if (typeof options.sub !== 'string' || options.sub === '') {
    throw new TypeError("An upload token needs a non-empty 'sub' (the user it is issued for)")
  }
  const limits = checkLimits(options)
  const seconds = durationSeconds(options.expiresIn ?? '1h')
  const now = Math.floor(Date.now() / 1000)
  const claims: Record<string, unknown> = Object.keys(limits).length > 0 ? { lim: limits } : {}
  if (options.publicRead === true) claims.pub = true
  return (
    new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, typ: 'JWT' })
      .setSubject(options.sub)
      .setAudience(UPLOAD_TOKEN_AUDIENCE)
      .setIssuedAt(now)
      // `exp` has whole seconds: rounding up makes a token live at least what was asked (rounding
      // down, a 2-second token issued at x.9 s would live 1.1 s).
      .setExpirationTime(Math.ceil(Date.now() / 1000 + seconds))
      .sign(key)
  )
}

/**
 * Verifies a token. Rejects with HttpError 401 (`ERR_UNAUTHORIZED`, a `WWW-Authenticate: Bearer`
 * header as RFC 6750 asks) and a sentence saying what is wrong: expired, bad signature, not an
 * upload token, or not a token at all.
 */
export async function verifyUploadToken(secret: Secret, token: string): Promise<UploadToken> {
  const key = secretKey(secret)
  let payload: Awaited<ReturnType<typeof jwtVerify>>['payload']
  try {
    ;({ payload } = await jwtVerify(token, key, {
      algorithms: [ALG],
      audience: UPLOAD_TOKEN_AUDIENCE,
      requiredClaims: ['sub', 'exp'],
    }))
  } catch (err) {
    throw unauthorized(describeJoseError(err), err)
  }
  let limits: UploadTokenLimits
  try {
    limits = checkLimits((payload.lim ?? {}) as UploadTokenLimits)
  } catch (err) {
    throw unauthorized('The upload token carries malformed limits; ask the app for a new one', err)
  }
  return {
    sub: payload.sub as string,
    expiresAt: (payload.exp as number) * 1000,
    limits,
    ...(payload.pub === true ? { publicRead: true } : {}),
  }
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const value = req.headers.authorization
  if (typeof value !== 'string') return undefined
  const match = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(value)
  return match?.[1]
}

/** A 401 carrying the RFC 6750 challenge, so clients know a fresh token is what is needed. */
export function unauthorized(message: string, cause?: unknown): HttpError {
  const description = message.replace(/[^\x20-\x7e]|["\\]/g, '')
  return new HttpError('ERR_UNAUTHORIZED', 401, message, {
    cause,
    headers: {
      'WWW-Authenticate': `Bearer realm="uploads", error="invalid_token", error_description="${description}"`,
    },
  })
}

function describeJoseError(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'The upload token has expired; ask the app for a new one'
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return "The upload token was not signed by this server's secret"
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return 'This token is not an upload token (wrong audience)'
    if (err.claim === 'nbf')
      return 'The upload token is not valid yet; check the clock of the app that issued it'
    return `The upload token lacks a valid '${err.claim}' claim`
  }
  if (err instanceof errors.JOSEAlgNotAllowed)
    return 'The upload token is signed with an algorithm this server refuses'
  return 'The upload token is malformed; send Authorization: Bearer <token> with a token the app issued'
}

/** Throws TypeError with what to do when a secret is unusable (checked once at server start). */
export function secretKey(secret: Secret): Uint8Array {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret
  if (!(key instanceof Uint8Array) || key.byteLength < MIN_SECRET_BYTES) {
    throw new TypeError(
      `The upload-token secret must be at least ${MIN_SECRET_BYTES} bytes (e.g. \`openssl rand -base64 32\`)`,
    )
  }
  return key
}

function checkLimits(o: UploadTokenLimits): UploadTokenLimits {
  const limits: { -readonly [K in keyof UploadTokenLimits]: UploadTokenLimits[K] } = {}
  for (const key of ['maxFileSize', 'maxTotalBytes', 'maxFiles'] as const) {
    const v = o[key]
    if (v === undefined) continue
    if (!Number.isSafeInteger(v) || v < 0)
      throw new TypeError(`'${key}' must be a non-negative integer, got ${v}`)
    limits[key] = v
  }
  if (o.types !== undefined) {
    if (!Array.isArray(o.types) || o.types.some((t) => typeof t !== 'string' || t.trim() === '')) {
      throw new TypeError("'types' must be a list of MIME types, wildcards (image/*) or extensions (.pdf)")
    }
    limits.types = o.types.map((t) => t.trim().toLowerCase())
  }
  return limits
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 }

/** Seconds of a lifetime given as seconds or as '30s', '10m', '2h', '7d'. */
export function durationSeconds(value: number | string): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value > 0) return value
  } else {
    const m = /^\s*(\d+)\s*([smhd])?\s*$/.exec(value)
    if (m) {
      const seconds = Number(m[1]) * (UNITS[m[2] ?? 's'] as number)
      if (seconds > 0 && Number.isSafeInteger(seconds)) return seconds
    }
  }
  throw new TypeError(
    `A token lifetime must be a positive number of seconds or like '30s', '10m', '2h', '7d'; got ${value}`,
  )
}
