import type { IncomingMessage } from 'node:http'
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS } from '@shuttle/protocol'

const ALLOW_METHODS = 'POST, GET, HEAD, PATCH, DELETE, OPTIONS'

/**
 * CORS headers for a request. Without `corsOrigins` the server sends none: browsers then allow
 * same-origin use only (or a proxy handles CORS). An allowed Origin is echoed; credentials
 * (cookies) are allowed only for origins listed by name, never for '*'.
 */
export function corsHeaders(
  req: IncomingMessage,
  allowed: '*' | readonly string[] | undefined,
  preflight: boolean,
): Record<string, string> {
  const headers = allowOrigin(req, allowed)
  if (headers['Access-Control-Allow-Origin'] === undefined) return headers
  if (allowed !== '*') headers['Access-Control-Allow-Credentials'] = 'true'
  headers['Access-Control-Expose-Headers'] = CORS_EXPOSE_HEADERS.join(', ')
  if (preflight) {
    headers['Access-Control-Allow-Methods'] = ALLOW_METHODS
    headers['Access-Control-Allow-Headers'] = CORS_ALLOW_HEADERS.join(', ')
    headers['Access-Control-Max-Age'] = '86400'
  }
  return headers
}

/**
 * The part every CORS answer shares: nothing when CORS is off; otherwise `Vary: Origin`, plus the
 * request's Origin echoed back (never '*', so credentials keep working) when it is allowed.
 */
export function allowOrigin(
  req: IncomingMessage,
  allowed: '*' | readonly string[] | undefined,
): Record<string, string> {
  if (allowed === undefined) return {}
  const origin = req.headers.origin
  if (origin === undefined || (allowed !== '*' && !allowed.includes(origin))) return { Vary: 'Origin' }
  return { Vary: 'Origin', 'Access-Control-Allow-Origin': origin }
}
