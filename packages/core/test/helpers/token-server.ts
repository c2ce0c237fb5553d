import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createTusServer, issueUploadToken, type ServerOptions } from '@shuttle/server'
import { makeTempDir, removeDir } from './files.js'
import { storedSha256, TUS_PATH } from './servers.js'

export const TEST_SECRET = 'shuttle-core-tests-only-secret-0123456789'

export interface IssuedToken {
  readonly token: string
  readonly issuedAt: number
  /** Epoch ms the token stops being accepted (JWT exp has whole-second precision). */
  readonly expiresAt: number
}

export interface TusAnswer {
  readonly method: string
  readonly path: string
  readonly status: number
  /** The Bearer token the request carried, if any. */
  readonly token: string | undefined
  readonly at: number
}

export interface TokenServer {
  readonly origin: string
  /** The tus endpoint (requires `Authorization: Bearer <token>`). */
  readonly endpoint: string
  /** POST here for a new token: `{ token }` (what an app's backend would do for its user). */
  readonly tokenUrl: string
  /** Every token the token endpoint issued, in order. */
  readonly issued: readonly IssuedToken[]
  /** Every answer of the tus handler, in order. */
  readonly answers: readonly TusAnswer[]
  storedSha256(url: string): Promise<string>
  close(): Promise<void>
}

/**
 * Our tus server with `tokens` required, and beside it a token endpoint issuing tokens of
 * `lifetimeSeconds` for subject `sub`: the real server-side half of the refresh flow.
 */
export async function startTokenServer(
  o: { lifetimeSeconds: number; sub?: string } & Omit<ServerOptions, 'tokens' | 'directory' | 'store'>,
): Promise<TokenServer> {
  const { lifetimeSeconds, sub = 'test-user', ...serverOptions } = o
  const dir = await makeTempDir('store-tokens')
  const tus = createTusServer({ ...serverOptions, directory: dir, tokens: { secret: TEST_SECRET } })
  const issued: IssuedToken[] = []
  const answers: TusAnswer[] = []
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/token') {
      req.resume()
      void issueUploadToken(TEST_SECRET, { sub, expiresIn: lifetimeSeconds }).then((token) => {
        const exp = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).exp as number
        issued.push({ token, issuedAt: Date.now(), expiresAt: exp * 1000 })
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }))
      })
      return
    }
    const auth = req.headers.authorization
    const token = typeof auth === 'string' ? /^Bearer (\S+)$/.exec(auth)?.[1] : undefined
    res.on('finish', () => {
      answers.push({
        method: req.method ?? '',
        path: (req.url ?? '').split('?')[0] ?? '',
        status: res.statusCode,
        token,
        at: Date.now(),
      })
    })
    tus.handle(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    endpoint: `${origin}${TUS_PATH}`,
    tokenUrl: `${origin}/token`,
    issued,
    answers,
    storedSha256: (url) => storedSha256('shuttle', dir, new URL(url).pathname.split('/').pop() ?? ''),
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await tus.close()
      await removeDir(dir)
    },
  }
}

/** Fetches a token from the token endpoint, as an app's `onAuthExpired` would. */
export async function fetchToken(tokenUrl: string): Promise<string> {
  const res = await fetch(tokenUrl, { method: 'POST' })
  if (!res.ok) throw new Error(`token endpoint answered ${res.status}`)
  return ((await res.json()) as { token: string }).token
}
