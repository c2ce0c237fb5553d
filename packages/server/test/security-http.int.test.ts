// Downloads and connections under attack, over real HTTP: uploaded HTML/SVG/PDF never render in
// the server's origin, names cannot disguise their extension, and slow or idle clients are cut on
// time while a normal upload on the same server goes through.
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../src/conformance/runner.js'
import { rawRequest, streamingRequest, TUS_HEADERS } from './helpers/http.js'
import { sha256 } from './helpers/pattern.js'
import { startServer, type TestServer } from './helpers/server.js'
import { type Auth, bearer, SECRET } from './helpers/tokens.js'
import { PATCH_HEADERS } from './helpers/tus-client.js'

const HEADERS_TIMEOUT = 1000
const IDLE_TIMEOUT = 1500
// Node checks header deadlines every HEADERS_TIMEOUT / 4 (see httpServerOptions); plus scheduling.
const SLACK = 1000

let s: TestServer
let alice: Auth
beforeAll(async () => {
  s = await startServer(
    { tokens: { secret: SECRET } },
    { headersTimeout: HEADERS_TIMEOUT, idleTimeout: IDLE_TIMEOUT, maxConnections: 20 },
  )
  alice = await bearer('alice')
})
afterAll(async () => {
  await s?.close()
})

const b64 = (v: string) => Buffer.from(v).toString('base64')

/** A finished upload of `data` with this metadata; resolves with its URL. */
async function uploaded(data: Buffer, metadata: Record<string, string>): Promise<string> {
  const created = await rawRequest({
    method: 'POST',
    url: s.endpoint,
    headers: {
      ...TUS_HEADERS,
      ...alice,
      'Upload-Length': String(data.length),
      'Upload-Metadata': Object.entries(metadata)
        .map(([k, v]) => `${k} ${b64(v)}`)
        .join(','),
    },
  })
  expect(created.status, created.body).toBe(201)
  const url = new URL(created.headers.location!, s.endpoint).toString()
  const r = await rawRequest({
    method: 'PATCH',
    url,
    headers: { ...PATCH_HEADERS, ...alice, 'Upload-Offset': '0' },
    body: data,
  })
  expect(r.status, r.body).toBe(204)
  return url
}

const get = (url: string) => rawRequest({ method: 'GET', url, headers: { ...alice } })

/** A whole upload round trip with a sha256 check: the server still serves normal clients. */
async function expectNormalUpload(): Promise<void> {
  const data = randomBytes(256 * 1024)
  const url = await uploaded(data, { filename: 'normal.bin' })
  expect(sha256((await get(url)).bytes)).toBe(sha256(data))
}

describe('download headers', () => {
  it.each([
    [
      'HTML',
      'text/html',
      'page.html',
      '<script>alert(document.cookie)</script>',
      'application/octet-stream',
      'attachment',
    ],
    [
      'SVG',
      'image/svg+xml',
      'logo.svg',
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      'application/octet-stream',
      'attachment',
    ],
    [
      'PDF',
      'application/pdf',
      'r.pdf',
      '%PDF-1.7 /JS (app.alert(1))',
      'application/octet-stream',
      'attachment',
    ],
    ['PNG', 'image/png', 'cat.png', '\x89PNG\r\n\x1a\n fake', 'image/png', 'inline'],
    ['plain text', 'text/plain', 'notes.txt', 'hello', 'text/plain', 'inline'],
    [
      'HTML declared as text/html;charset',
      'text/html; charset=utf-8',
      'x.html',
      '<b>x</b>',
      'application/octet-stream',
      'attachment',
    ],
  ])('%s (%s) → %s, %s, sandboxed, nosniff', async (_, filetype, filename, body, type, disposition) => {
    const data = Buffer.from(body)
    const r = await get(await uploaded(data, { filetype, filename }))
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toBe(type)
    expect(r.headers['content-disposition']).toBe(
      `${disposition}; filename="${filename}"; filename*=UTF-8''${filename}`,
    )
    expect(r.headers['content-security-policy']).toBe('sandbox')
    expect(r.headers['x-content-type-options']).toBe('nosniff')
    expect(r.bytes.equals(data)).toBe(true)
  })
})

describe('bidi control characters are stripped from download names', () => {
  const BIDI = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/
  it.each([
    ['right-to-left override', 'invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['isolates', 'photo\u2067gnp\u2069.exe', 'photognp.exe'],
    ['marks', '\u200F\u061Creport\u200E.txt', 'report.txt'],
    ['embeddings', '\u202Ax\u202B\u202Cy\u202D.bin', 'xy.bin'],
  ])('%s: %j downloads as %s', async (_, name, clean) => {
    const r = await get(await uploaded(Buffer.from('x'), { filename: name }))
    const value = r.headers['content-disposition'] ?? ''
    expect(value).toBe(`attachment; filename="${clean}"; filename*=UTF-8''${encodeURIComponent(clean)}`)
    const utf8 = decodeURIComponent(value.split("UTF-8''")[1] ?? '')
    expect(utf8).not.toMatch(BIDI)
  })
})

describe('connections', () => {
  it('slow headers are cut within the stated time while a normal upload on the same server succeeds', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: s.port })
    await once(socket, 'connect')
    // The server cutting us off mid-write is the point (EPIPE / ECONNRESET).
    socket.on('error', () => {})
    const started = performance.now()
    let answer = ''
    socket.on('data', (b: Buffer) => (answer += b.toString('latin1')))
    const closed = new Promise((resolve) => socket.once('close', resolve))
    socket.write(`POST /files/ HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n`)
    // Slowloris: a header byte now and then, never the blank line that ends the headers.
    const drip = setInterval(() => socket.writable && socket.write('X'), 100)
    try {
      await expectNormalUpload()
      await closed
    } finally {
      clearInterval(drip)
      socket.destroy()
    }
    const took = performance.now() - started
    expect(took).toBeGreaterThanOrEqual(HEADERS_TIMEOUT - 50)
    expect(took).toBeLessThan(HEADERS_TIMEOUT + SLACK)
    expect(answer).toMatch(/^HTTP\/1\.1 408/)
  })

  it('a body that stops arriving is cut after the idle timeout; what arrived is kept and resumable', async () => {
    const size = 1024 * 1024
    const data = randomBytes(size)
    const created = await rawRequest({
      method: 'POST',
      url: s.endpoint,
      headers: { ...TUS_HEADERS, ...alice, 'Upload-Length': String(size) },
    })
    const url = new URL(created.headers.location!, s.endpoint).toString()
    const half = size / 2
    const stalled = streamingRequest({
      method: 'PATCH',
      url,
      headers: { ...PATCH_HEADERS, ...alice, 'Upload-Offset': '0', 'Content-Length': size },
      body: [data.subarray(0, half), data.subarray(half)],
    })
    await stalled.waitSent(half)
    stalled.pause()
    const pausedAt = performance.now()
    const { error, response } = await stalled.result
    const took = performance.now() - pausedAt
    // The server closed the connection: no answer reaches the client, the request fails.
    expect(response).toBeUndefined()
    expect(error).toBeDefined()
    expect(took).toBeGreaterThanOrEqual(IDLE_TIMEOUT - 50)
    expect(took).toBeLessThan(IDLE_TIMEOUT + SLACK)
    const head = await rawRequest({ method: 'HEAD', url, headers: { ...TUS_HEADERS, ...alice } })
    expect(Number(head.headers['upload-offset'])).toBe(half)
    const rest = await rawRequest({
      method: 'PATCH',
      url,
      headers: { ...PATCH_HEADERS, ...alice, 'Upload-Offset': String(half) },
      body: data.subarray(half),
    })
    expect(rest.status, rest.body).toBe(204)
    expect(sha256((await get(url)).bytes)).toBe(sha256(data))
  })

  it('connections past maxConnections are closed on arrival; once one closes, clients get through again', async () => {
    const held: net.Socket[] = []
    const count = () => new Promise<number>((r) => s.http.getConnections((_, n) => r(n)))
    try {
      for (let i = 0; i < 20; i++) {
        const c = net.connect({ host: '127.0.0.1', port: s.port })
        await once(c, 'connect')
        held.push(c)
      }
      await waitUntil(async () => (await count()) === 20, 5000, 'the server holds 20 connections')
      const extra = net.connect({ host: '127.0.0.1', port: s.port })
      extra.on('error', () => {})
      extra.write(`OPTIONS /files/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
      let got = ''
      extra.on('data', (b: Buffer) => (got += b.toString()))
      await new Promise((resolve) => extra.once('close', resolve))
      expect(got).toBe('')
      held.pop()?.destroy()
      await waitUntil(async () => (await count()) === 19, 5000, 'the server sees one connection gone')
      await expectNormalUpload()
    } finally {
      for (const c of held) c.destroy()
    }
  })
})
