// Quotas, rate limits and token limits over real HTTP: each refusal has its status (429 with
// Retry-After, 403, 413, 415) and a sentence saying what to do, and doing it (waiting, finishing,
// deleting) lets the next creation through. Waits are for conditions, never fixed sleeps.
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { waitUntil } from '../src/conformance/runner.js'
import { createTusServer, type IssueUploadTokenOptions, type QuotaOptions } from '../src/index.js'
import { type RawResponse, rawRequest, TUS_HEADERS } from './helpers/http.js'
import { startServer, type TestServer } from './helpers/server.js'
import { type Auth, bearer, SECRET } from './helpers/tokens.js'
import { PATCH_HEADERS } from './helpers/tus-client.js'

let s: TestServer | undefined
afterEach(async () => {
  await s?.close()
  s = undefined
})

async function serve(
  quotas: QuotaOptions | undefined,
  tokens = true,
  forwarded = false,
): Promise<TestServer> {
  s = await startServer({
    ...(quotas ? { quotas } : {}),
    ...(tokens ? { tokens: { secret: SECRET } } : {}),
    respectForwardedHeaders: forwarded,
  })
  return s
}

const b64 = (v: string) => Buffer.from(v).toString('base64')

function create(
  server: TestServer,
  auth: Auth,
  length: number | 'defer' = 10,
  metadata: Record<string, string> = {},
  more: Record<string, string> = {},
): Promise<RawResponse> {
  const md = Object.entries(metadata)
    .map(([k, v]) => `${k} ${b64(v)}`)
    .join(',')
  return rawRequest({
    method: 'POST',
    url: server.endpoint,
    headers: {
      ...TUS_HEADERS,
      ...auth,
      ...(length === 'defer' ? { 'Upload-Defer-Length': '1' } : { 'Upload-Length': String(length) }),
      ...(md ? { 'Upload-Metadata': md } : {}),
      ...more,
    },
  })
}

const urlOf = (server: TestServer, r: RawResponse) => {
  expect(r.status, r.body).toBe(201)
  return new URL(r.headers.location!, server.endpoint).toString()
}

const patch = (url: string, auth: Auth, offset: number, body: Buffer, more: Record<string, string> = {}) =>
  rawRequest({
    method: 'PATCH',
    url,
    headers: { ...PATCH_HEADERS, ...auth, 'Upload-Offset': String(offset), ...more },
    body,
  })

const remove = (url: string, auth: Auth) =>
  rawRequest({ method: 'DELETE', url, headers: { ...TUS_HEADERS, ...auth } })

const withToken = (sub: string, limits: Omit<IssueUploadTokenOptions, 'sub'> = {}) => bearer(sub, limits)

describe('rate limits: 429 with Retry-After, then success once the window allows', () => {
  it('creations per window, per subject: the third in a window waits; others are not held back', async () => {
    const server = await serve({ creations: 2, windowMs: 1000 })
    const alice = await withToken('alice')
    urlOf(server, await create(server, alice))
    urlOf(server, await create(server, alice))
    const refused = await create(server, alice)
    const refusedAt = Date.now()
    expect(refused.status).toBe(429)
    expect(refused.headers['retry-after']).toBe('1')
    expect(refused.body).toMatch(/Too many new uploads: this server allows 2 per 1 s\. Retry in 1 s\./)
    urlOf(server, await create(server, await withToken('bob')))

    let last: RawResponse | undefined
    await waitUntil(
      async () => {
        last = await create(server, alice)
        if (last.status !== 201) expect(last.status).toBe(429)
        return last.status === 201
      },
      5000,
      "alice's window frees a slot",
    )
    // Retry-After was honest: the slot freed within it (plus scheduling slack).
    expect(Date.now() - refusedAt).toBeLessThan(1000 + 1000)
  })

  it('without tokens the client address is the subject (X-Forwarded-For when forwarded headers are trusted)', async () => {
    const server = await serve({ creations: 1, windowMs: 60_000 }, false, true)
    const a = { 'X-Forwarded-For': '203.0.113.7' }
    urlOf(server, await create(server, a))
    const refused = await create(server, a)
    expect(refused.status).toBe(429)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(59)
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60)
    urlOf(server, await create(server, { 'X-Forwarded-For': '203.0.113.8' }))
  })

  it('unfinished uploads at once: the third waits until one finishes or is deleted; finished ones do not count', async () => {
    const server = await serve({ concurrentUploads: 2 })
    const alice = await withToken('alice')
    const first = urlOf(server, await create(server, alice, 4))
    const second = urlOf(server, await create(server, alice, 4))
    const refused = await create(server, alice, 4)
    expect(refused.status).toBe(429)
    expect(refused.headers['retry-after']).toBe('5')
    expect(refused.body).toMatch(/You have 2 unfinished uploads.*finish or cancel one/)
    urlOf(server, await create(server, alice, 0)) // complete on creation: not concurrent
    expect((await patch(first, alice, 0, randomBytes(4))).status).toBe(204)
    const third = urlOf(server, await create(server, alice, 4))
    expect((await create(server, alice, 4)).status).toBe(429)
    expect((await remove(second, alice)).status).toBe(204)
    urlOf(server, await create(server, alice, 4))
    expect(third).not.toBe(first)
  })
})

describe('token limits', () => {
  it('maxFileSize: 413 past it, at creation, for a deferred length, and for a body past it', async () => {
    const server = await serve(undefined)
    const t = await withToken('alice', { maxFileSize: 100 })
    const big = await create(server, t, 101)
    expect(big.status).toBe(413)
    expect(big.body).toMatch(/Upload-Length 101 exceeds your upload token's limit of 100 bytes per file/)
    urlOf(server, await create(server, t, 100))
    const deferred = urlOf(server, await create(server, t, 'defer'))
    const body = await patch(deferred, t, 0, randomBytes(150))
    expect(body.status).toBe(413)
    const declare = await patch(deferred, t, 0, randomBytes(10), { 'Upload-Length': '101' })
    expect(declare.status).toBe(413)
    expect(declare.body).toMatch(/limit of 100 bytes per file/)
    const ok = await patch(deferred, t, 0, randomBytes(10), { 'Upload-Length': '100' })
    expect(ok.status, ok.body).toBe(204)
  })

  it('types: 415 for a type the token does not allow, by MIME type, family or extension', async () => {
    const server = await serve(undefined)
    const t = await withToken('alice', { types: ['image/*', '.pdf'] })
    urlOf(server, await create(server, t, 10, { filetype: 'image/png', filename: 'a.png' }))
    urlOf(server, await create(server, t, 10, { filename: 'report.PDF' }))
    for (const metadata of [{ filetype: 'text/html', filename: 'a.html' }, {}] as Record<string, string>[]) {
      const r = await create(server, t, 10, metadata)
      expect(r.status).toBe(415)
      expect(r.body).toMatch(/is not a type your upload token allows \(image\/\*, \.pdf\)/)
    }
  })

  it('maxFiles: 403 saying what to delete; deleting one lets the next through', async () => {
    const server = await serve(undefined)
    const t = await withToken('alice', { maxFiles: 2 })
    const first = urlOf(server, await create(server, t))
    urlOf(server, await create(server, t))
    const refused = await create(server, t)
    expect(refused.status).toBe(403)
    expect(refused.body).toMatch(/You keep 2 uploads, the most your upload token allows \(2\); delete one/)
    expect((await remove(first, t)).status).toBe(204)
    urlOf(server, await create(server, t))
  })

  it('maxTotalBytes: 403 when an upload would go over; a smaller one still fits', async () => {
    const server = await serve(undefined)
    const t = await withToken('alice', { maxTotalBytes: 100 })
    urlOf(server, await create(server, t, 60))
    const refused = await create(server, t, 50)
    expect(refused.status).toBe(403)
    expect(refused.body).toMatch(
      /would bring what you keep to 110 bytes, over the 100-byte limit of your upload token/,
    )
    urlOf(server, await create(server, t, 40))
  })

  it('the server quota of stored bytes per client address answers the same way without tokens', async () => {
    const server = await serve({ storedBytes: 50, storedFiles: 3 }, false)
    urlOf(server, await create(server, {}, 50))
    const refused = await create(server, {}, 1)
    expect(refused.status).toBe(403)
    expect(refused.body).toMatch(/over the 50-byte limit of this server/)
  })

  it('what a subject keeps is counted from the store, so another instance (or a restart) still enforces maxFiles', async () => {
    const server = await serve(undefined)
    const t = await withToken('alice', { maxFiles: 2 })
    urlOf(server, await create(server, t))
    urlOf(server, await create(server, t))
    // A second server over the same directory has created nothing itself.
    const other = createTusServer({ directory: server.dir, tokens: { secret: SECRET } })
    const h = http.createServer(other.handle)
    await new Promise<void>((r) => h.listen(0, '127.0.0.1', r))
    try {
      const port = (h.address() as { port: number }).port
      const r = await rawRequest({
        method: 'POST',
        url: `http://127.0.0.1:${port}/files/`,
        headers: { ...TUS_HEADERS, ...t, 'Upload-Length': '1' },
      })
      expect(r.status, r.body).toBe(403)
    } finally {
      h.closeAllConnections()
      await new Promise<void>((r) => h.close(() => r()))
      await other.close()
    }
  })
})
