import { once } from 'node:events'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { issueUploadToken } from '@shuttle/server'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, killAll, runCli, waitFor } from './helpers.js'

// `shuttle serve` as a user runs it: tokens from a file or the environment (never a flag in `ps`),
// same-origin only by default, credentials only for named origins, slow headers cut, limits stated.

const SECRET = 'serve-trust-secret-of-32-bytes-or-more'
let dir: string

beforeAll(async () => {
  assertBuilt()
  dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-serve-trust-'))
})
afterEach(() => killAll())
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function serve(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = runCli(['serve', '--port', '0', '--dir', path.join(dir, 'up'), ...args], env)
  const [, endpoint] = await waitFor(r.stdout, /tus endpoint (http:\/\/127\.0\.0\.1:\d+\/files\/)/)
  return { run: r, endpoint: endpoint!, port: Number(new URL(endpoint!).port) }
}

const tus = { 'Tus-Resumable': '1.0.0' }

describe('shuttle serve: trust defaults and flags', () => {
  it('--auth-secret-file: 401 without a token, uploads with one, each upload its subject’s', async () => {
    const file = path.join(dir, 'secret')
    await writeFile(file, `${SECRET}\n`)
    const { run, endpoint } = await serve(['--auth-secret-file', file])
    expect(run.stdout()).toMatch(/upload tokens required/)
    expect(run.stdout()).toMatch(/max size 10(\.0)? GiB/)
    const none = await fetch(endpoint, { method: 'POST', headers: { ...tus, 'Upload-Length': '5' } })
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/)
    const alice = { Authorization: `Bearer ${await issueUploadToken(SECRET, { sub: 'alice' })}` }
    const bob = { Authorization: `Bearer ${await issueUploadToken(SECRET, { sub: 'bob' })}` }
    const created = await fetch(endpoint, {
      method: 'POST',
      headers: { ...tus, ...alice, 'Upload-Length': '5' },
    })
    expect(created.status).toBe(201)
    const url = created.headers.get('location')!
    const patched = await fetch(url, {
      method: 'PATCH',
      headers: { ...tus, ...alice, 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
      body: 'hello',
    })
    expect(patched.status).toBe(204)
    expect(await (await fetch(url, { headers: alice })).text()).toBe('hello')
    expect((await fetch(url, { headers: bob })).status).toBe(404)
    // Past the default size limit: 413 before anything is stored.
    const huge = await fetch(endpoint, {
      method: 'POST',
      headers: { ...tus, ...alice, 'Upload-Length': '1e15' },
    })
    expect([400, 413]).toContain(huge.status)
    const big = await fetch(endpoint, {
      method: 'POST',
      headers: { ...tus, ...alice, 'Upload-Length': String(11 * 1024 ** 3) },
    })
    expect(big.status).toBe(413)
  })

  it('reads SHUTTLE_AUTH_SECRET and refuses a short secret with a sentence', async () => {
    const { endpoint } = await serve([], { SHUTTLE_AUTH_SECRET: SECRET })
    expect(
      (await fetch(endpoint, { method: 'POST', headers: { ...tus, 'Upload-Length': '1' } })).status,
    ).toBe(401)
    const short = runCli(['serve', '--port', '0', '--dir', path.join(dir, 'up')], {
      SHUTTLE_AUTH_SECRET: 'short',
    })
    expect(await short.exit).toBe(2)
    expect(short.stderr()).toMatch(/SHUTTLE_AUTH_SECRET: the secret must be at least 32 bytes/)
  })

  it('CORS: none by default (same-origin only); * without credentials; named origins with credentials', async () => {
    const preflight = (endpoint: string, origin: string) =>
      fetch(endpoint, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
      })
    const plain = await serve([])
    const d = await preflight(plain.endpoint, 'https://evil.example')
    expect(d.headers.get('access-control-allow-origin')).toBeNull()
    killAll()
    const any = await serve(['--cors-origin', '*'])
    const a = await preflight(any.endpoint, 'https://any.example')
    expect(a.headers.get('access-control-allow-origin')).toBe('https://any.example')
    expect(a.headers.get('access-control-allow-credentials')).toBeNull()
    killAll()
    const named = await serve(['--cors-origin', 'https://app.example'])
    const n = await preflight(named.endpoint, 'https://app.example')
    expect(n.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(n.headers.get('access-control-allow-credentials')).toBe('true')
    const other = await preflight(named.endpoint, 'https://evil.example')
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('--headers-timeout: a client that never finishes its headers is cut on time; others are served', async () => {
    const { endpoint, port } = await serve(['--headers-timeout', '1s'])
    const socket = net.connect({ host: '127.0.0.1', port })
    await once(socket, 'connect')
    // The server cutting us off mid-write is the point (EPIPE / ECONNRESET).
    socket.on('error', () => {})
    const closed = new Promise((resolve) => socket.once('close', resolve))
    const started = performance.now()
    socket.write('POST /files/ HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    const drip = setInterval(() => socket.writable && socket.write('X'), 100)
    try {
      const created = await fetch(endpoint, { method: 'POST', headers: { ...tus, 'Upload-Length': '1' } })
      expect(created.status).toBe(201)
      await closed
    } finally {
      clearInterval(drip)
      socket.destroy()
    }
    expect(performance.now() - started).toBeLessThan(1000 + 1500)
  })

  it('--rate-limit: the next creation over it is 429 with Retry-After and a sentence', async () => {
    const { endpoint } = await serve(['--rate-limit', '2/1m'])
    const create = () => fetch(endpoint, { method: 'POST', headers: { ...tus, 'Upload-Length': '1' } })
    expect((await create()).status).toBe(201)
    expect((await create()).status).toBe(201)
    const refused = await create()
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await refused.text()).toMatch(/Too many new uploads: this server allows 2 per 60 s/)
  })
})
