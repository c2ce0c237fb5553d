import type { LocaleMessages, Translate } from './locale/index.js'

/** What a failed file shows: a sentence people understand, the server's own words when they are meant for people, and the technical detail. */
export interface ErrorText {
  /** Localised: what happened and what to do. */
  sentence: string
  /** The server's message (a tus server's text body), when it reads as a sentence for people. */
  server?: string
  /** Code, HTTP status, request and message: one click away in the UI. */
  detail: string
}

interface ErrorLike {
  message?: string
  code?: string
  status?: number
  serverMessage?: string
  cause?: unknown
}

/**
 * The HTTP answer behind an error: the error itself, or one it wraps (core's ERR_FORBIDDEN and
 * ERR_AUTH_EXPIRED carry the server's HttpStatusError as their cause).
 */
function httpAnswerOf(e: ErrorLike): ErrorLike | undefined {
  let at: unknown = e
  for (let depth = 0; depth < 5 && typeof at === 'object' && at !== null; depth++) {
    const x = at as ErrorLike
    if (x.status !== undefined || x.serverMessage !== undefined) return x
    at = x.cause
  }
  return undefined
}

type Key = keyof LocaleMessages

const REASON_PHRASES = new Set([
  'bad request',
  'unauthorized',
  'forbidden',
  'not found',
  'method not allowed',
  'conflict',
  'gone',
  'payload too large',
  'content too large',
  'request entity too large',
  'locked',
  'too many requests',
  'internal server error',
  'bad gateway',
  'service unavailable',
  'gateway timeout',
])

/** The locale key for an error, by HTTP status first (servers differ in codes), then by code. */
function keyOf(e: ErrorLike): Key {
  const s = e.status
  if (s === 401 || e.code === 'ERR_AUTH_EXPIRED' || e.code === 'ERR_UNAUTHORIZED') return 'errorUnauthorized'
  if (s === 403 || e.code === 'ERR_FORBIDDEN') return 'errorForbidden'
  if (s === 413 || e.code === 'ERR_TOO_LARGE' || e.code === 'ERR_LENGTH_EXCEEDED') return 'errorTooLarge'
  if (s === 429) return 'errorRateLimited'
  if (s === 503) return 'errorUnavailable'
  if (s !== undefined && s >= 500) return 'errorServer'
  if (s === 404 || s === 410 || e.code === 'ERR_NOT_FOUND' || e.code === 'ERR_GONE') return 'errorGone'
  if (e.code === 'ERR_BLOCKED') return 'errorBlocked'
  if (e.code === 'ERR_NETWORK' || e.code === 'ERR_STALLED') return 'errorNetwork'
  if (e.code === 'ERR_SOURCE_READ' || e.code === 'ERR_SOURCE_CHANGED') return 'errorFileRead'
  if (e.code === 'ERR_CHECKSUM_MISMATCH') return 'errorChecksum'
  return 'errorGeneric'
}

/**
 * A server message is shown to people when it looks written for them: short plain text, not HTML,
 * JSON or a stack trace. From JSON, a string `message` or `error` field is taken.
 */
export function peopleMessage(body: string | undefined): string | undefined {
  const text = body?.trim()
  if (!text) return undefined
  if (text.startsWith('{')) {
    try {
      const j = JSON.parse(text) as { message?: unknown; error?: unknown }
      const m = typeof j.message === 'string' ? j.message : typeof j.error === 'string' ? j.error : undefined
      return m ? peopleMessage(m) : undefined
    } catch {
      return undefined
    }
  }
  if (text.length > 300 || text.startsWith('<') || text.startsWith('[')) return undefined
  if (/\n\s+at\s|\bError:\s/.test(text)) return undefined // a stack trace or a raw exception
  if (!/\p{L}{2,}/u.test(text)) return undefined
  // "Unauthorized", "503 Service Unavailable": the status line again adds nothing to the sentence.
  if (
    REASON_PHRASES.has(
      text
        .replace(/^\d{3}\s*/, '')
        .replace(/[.!]$/, '')
        .toLowerCase(),
    )
  )
    return undefined
  return text
}

/**
 * @example
 * describeError(file.error, t) // { sentence: 'The server refused this upload.', server: 'Quota exceeded…', detail: 'ERR_HTTP_STATUS · HTTP 403 · POST … answered 403' }
 */
export function describeError(error: unknown, t: Translate): ErrorText {
  const outer = (
    typeof error === 'object' && error !== null ? error : { message: String(error) }
  ) as ErrorLike
  const answer = httpAnswerOf(outer)
  const e: ErrorLike = { ...answer, code: outer.code, message: outer.message }
  const server = peopleMessage(e.serverMessage)
  const detail = [
    e.code,
    e.status === undefined ? undefined : `HTTP ${e.status}`,
    e.message,
    answer && answer !== outer && answer.message !== outer.message ? answer.message : undefined,
    e.serverMessage && e.serverMessage !== server && e.serverMessage !== e.message
      ? e.serverMessage.slice(0, 300)
      : undefined,
  ]
    .filter(Boolean)
    .join(' · ')
  return { sentence: t(keyOf(e)), ...(server ? { server } : {}), detail }
}
