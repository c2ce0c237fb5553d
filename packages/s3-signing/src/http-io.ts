import type { IncomingMessage, ServerResponse } from 'node:http'
import { TusError } from '@shuttle/protocol'
import { allowOrigin } from '@shuttle/server'

/** Reads a JSON request body of at most `limit` bytes; an empty body is `{}`. */
export async function readJson(req: IncomingMessage, limit: number): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) throw new TusError('ERR_TOO_LARGE', 413, `Request body is larger than ${limit} bytes`)
    chunks.push(chunk)
  }
  if (size === 0) return {}
  let value: unknown
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch (cause) {
    throw new TusError('ERR_INVALID_HEADER', 400, 'Request body is not valid JSON', { cause })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TusError('ERR_INVALID_HEADER', 400, 'Request body must be a JSON object')
  }
  return value as Record<string, unknown>
}

/** CORS for the signing routes; an allowed Origin is echoed, never '*', so credentials keep working. */
export function signingCors(
  req: IncomingMessage,
  allowed: '*' | readonly string[] | undefined,
): Record<string, string> {
  const headers = allowOrigin(req, allowed)
  if (headers['Access-Control-Allow-Origin'] === undefined) return headers
  // Cookies only for origins listed by name: '*' must not let any site act with the user's session.
  if (allowed !== '*') headers['Access-Control-Allow-Credentials'] = 'true'
  if (req.method === 'OPTIONS') {
    headers['Access-Control-Allow-Methods'] = 'GET, POST, DELETE, OPTIONS'
    const asked = req.headers['access-control-request-headers']
    headers['Access-Control-Allow-Headers'] =
      typeof asked === 'string' && asked !== '' ? asked : 'Authorization, Content-Type'
    headers['Access-Control-Max-Age'] = '86400'
  }
  return headers
}

/** Companion's answer format: JSON for results, `{ error }` for failures. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string>,
): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const text = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, {
    ...headers,
    ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  })
  res.end(text)
}
