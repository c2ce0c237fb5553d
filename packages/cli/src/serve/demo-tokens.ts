import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { issueUploadToken } from '@shuttle/server'

/**
 * DEMO ONLY. This secret is public (it is in the source), so anyone can sign tokens with it: it
 * exists so `npm start` shows the real token flow with nothing to configure. A deployment uses
 * its own secret (`--auth-secret`) and issues tokens from its own backend, for its own users.
 */
export const DEMO_SECRET = 'shuttle-demo-only-secret--public--never-use-in-production'

/** Where the demo page asks for a token. */
export const DEMO_TOKEN_PATH = '/demo-token'

const SUBJECT = /^[A-Za-z0-9_-]{8,64}$/
const MAX_BODY = 1024

export interface DemoTokens {
  readonly secret: string
  /** Seconds a token lives. */
  readonly lifetime: number
  /** Answers POST /demo-token; false for other paths (the caller routes them on). */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean
}

/**
 * The demo's stand-in for an app backend's token endpoint: POST `{ "subject": "<id>" }` (the id a
 * browser keeps in localStorage; left out, a new one is made) answers
 * `{ token, subject, expiresAt, demoOnly: true }`. The subject is anonymous and per browser, so
 * every visitor's uploads are their own.
 */
export function demoTokens(lifetimeSeconds: number): DemoTokens {
  const answer = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      ...headers,
    })
    res.end(JSON.stringify(body))
  }
  return {
    secret: DEMO_SECRET,
    lifetime: lifetimeSeconds,
    handle(req, res, pathname) {
      if (pathname !== DEMO_TOKEN_PATH) return false
      if (req.method !== 'POST') {
        answer(res, 405, { error: 'Ask for a demo token with POST' }, { allow: 'POST' })
        return true
      }
      let body = ''
      let tooLarge = false
      req.setEncoding('utf8')
      req.on('data', (chunk: string) => {
        body += chunk
        if (body.length > MAX_BODY) tooLarge = true
      })
      req.on('end', () => {
        if (tooLarge)
          return answer(res, 413, { error: 'The request is too large; send { "subject": "<id>" }' })
        let subject: unknown
        try {
          subject = body.trim() === '' ? undefined : (JSON.parse(body) as { subject?: unknown }).subject
        } catch {
          return answer(res, 400, {
            error: 'Send JSON: { "subject": "<id>" }, or an empty body for a new id',
          })
        }
        if (subject !== undefined && (typeof subject !== 'string' || !SUBJECT.test(subject))) {
          return answer(res, 400, { error: 'The subject must be 8 to 64 letters, digits, - or _' })
        }
        const id = (subject as string | undefined) ?? randomUUID()
        issueUploadToken(DEMO_SECRET, { sub: `demo:${id}`, expiresIn: lifetimeSeconds }).then(
          (token) => answer(res, 200, { token, subject: id, expiresIn: lifetimeSeconds, demoOnly: true }),
          () => answer(res, 500, { error: 'Could not sign a demo token' }),
        )
      })
      return true
    },
  }
}

/**
 * Without --demo-tokens (and without --auth-secret) the demo page still asks POST /demo-token
 * before its first upload; 204 tells it that this server needs no token, where a 404 would put a
 * red failed request in every visitor's console. Answers only that path.
 */
export function answerTokensNotRequired(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): boolean {
  if (pathname !== DEMO_TOKEN_PATH || req.method !== 'POST') return false
  req.resume()
  res.writeHead(204, { 'cache-control': 'no-store' })
  res.end()
  return true
}
