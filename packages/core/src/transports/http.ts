import { HttpStatusError, type UploadErrorCode } from '@shuttle/protocol'
import type { HttpResponse } from '../ports.js'
import { parseRetryAfter } from '../retry.js'

// HTTP helpers every transport (and the engine's auth check) shares. Transport-neutral: no
// protocol headers here, so no transport imports another.

/** 2xx. */
export const isSuccess = (status: number): boolean => status >= 200 && status < 300

/**
 * The HttpStatusError for an unexpected answer: the server's message (trimmed, for display) and its
 * Retry-After (for the retry policy) travel as fields of the error.
 */
export function statusError(
  res: HttpResponse,
  method: string,
  url: string,
  opts: { code?: UploadErrorCode; retryable?: boolean; serverMessage?: string } = {},
): HttpStatusError {
  const serverMessage = opts.serverMessage ?? (res.body.trim().slice(0, 500) || undefined)
  const retryAfter = parseRetryAfter(res.header('retry-after'), Date.now())
  return new HttpStatusError(res.status, method, url, {
    ...opts,
    ...(serverMessage === undefined ? {} : { serverMessage }),
    ...(retryAfter === undefined ? {} : { retryAfter }),
  })
}

/** Returns `res` when it is a 2xx, else throws its statusError. */
export function expectSuccess(res: HttpResponse, method: string, url: string): HttpResponse {
  if (!isSuccess(res.status)) throw statusError(res, method, url)
  return res
}
