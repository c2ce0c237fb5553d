import type { Handler } from './servers.js'

export interface AuthGate {
  /** Wrap a tus handler with it (pass to startServer's `wrap`). */
  wrap(handler: Handler): Handler
  /** Requests answered 401. */
  readonly rejected: number
  /** Paths of the requests answered 401, in order. */
  readonly rejectedPaths: readonly string[]
}

/**
 * Answers 401 (or `status`) to any request whose `Authorization: Bearer <issuedAtMs>` token is missing or older
 * than `ttlMs`. The request body is drained first, so the client reliably reads the 401.
 */
export function createAuthGate(ttlMs: number, status = 401): AuthGate {
  let rejected = 0
  const rejectedPaths: string[] = []
  return {
    rejectedPaths,
    get rejected() {
      return rejected
    },
    wrap: (handler) => (req, res) => {
      const match = /^Bearer (\d+)$/.exec(req.headers.authorization ?? '')
      const issuedAt = match ? Number(match[1]) : Number.NaN
      if (req.method === 'OPTIONS' || Date.now() - issuedAt <= ttlMs) {
        handler(req, res)
        return
      }
      rejected++
      rejectedPaths.push(req.url ?? '')
      req.resume()
      const deny = () => {
        if (!res.headersSent) res.writeHead(status, { 'Tus-Resumable': '1.0.0' }).end('token expired')
      }
      req.on('end', deny)
      req.on('error', () => res.destroy())
    },
  }
}
