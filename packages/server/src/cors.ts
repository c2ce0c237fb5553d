import type { IncomingMessage } from 'node:http'
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS } from '@shuttle/protocol'

const ALLOW_METHODS = 'POST, GET, HEAD, PATCH, DELETE, OPTIONS'

/**
 * CORS headers for a request. Without `corsOrigins` the server sends none (same-origin use or a
 * proxy that handles CORS). An allowed Origin is echoed, never '*', so credentials keep working.
 */
export function corsHeaders(
  req: IncomingMessage,
  allowed: '*' | readonly string[] | undefined,
  preflight: boolean,
): Record<string, string> {
  if (allowed === undefined) return {}
  const origin = req.headers.origin
  const headers: Record<string, string> = { Vary: 'Origin' }
  if (origin === undefined || (allowed !== '*' && !allowed.includes(origin))) return headers
  headers['Access-Control-Allow-Origin'] = origin
  headers['Access-Control-Expose-Headers'] = CORS_EXPOSE_HEADERS.join(', ')
  if (preflight) {
    headers['Access-Control-Allow-Methods'] = ALLOW_METHODS
    headers['Access-Control-Allow-Headers'] = CORS_ALLOW_HEADERS.join(', ')
    headers['Access-Control-Max-Age'] = '86400'
  }
  return headers
}
