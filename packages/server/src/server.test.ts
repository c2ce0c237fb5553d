import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { encodeMetadata, TusError } from '@shuttle/protocol'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { startTus, type Tus } from '../test/helpers/start-tus.js'
import { createTusServer } from './server.js'

let t: Tus | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

const create = (tus: Tus, headers: Record<string, string> = { 'Upload-Length': '10' }) =>
  tus.req(tus.endpoint, { method: 'POST', headers })

describe('OPTIONS and protocol checks', () => {
  it('advertises version, extensions, checksum algorithms and max size', async () => {
    t = await startTus({ maxSize: 1000 })
    const res = await fetch(t.endpoint, { method: 'OPTIONS' })
    expect(res.status).toBe(204)
    expect(res.headers.get('tus-version')).toBe('1.0.0')
    expect(res.headers.get('tus-resumable')).toBe('1.0.0')
    expect(res.headers.get('tus-extension')?.split(',')).toEqual([
      'creation',
      'creation-with-upload',
      'creation-defer-length',
      'termination',
      'checksum',
      'checksum-trailer',
      'expiration',
      'concatenation',
      'instant-upload',
    ])
    expect(res.headers.get('upload-identity-algorithm')).toBe('sha256-4m')
    expect(res.headers.get('tus-checksum-algorithm')).toBe('sha1,sha256,md5,sha256-4m')
    expect(res.headers.get('tus-max-size')).toBe('1000')
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('answers 412 with Tus-Version when Tus-Resumable is missing or wrong', async () => {
    t = await startTus()
    for (const headers of [{}, { 'Tus-Resumable': '0.2.2' }] as Record<string, string>[]) {
      const res = await fetch(t.endpoint, { method: 'POST', headers: { 'Upload-Length': '1', ...headers } })
      expect(res.status).toBe(412)
      expect(res.headers.get('tus-version')).toBe('1.0.0')
      expect(await res.text()).toMatch(/Tus-Resumable/)
    }
  })

  it('answers 404 for malformed ids and 405 for wrong methods', async () => {
    t = await startTus()
    for (const bad of [
      '..%2F..%2Fetc',
      'a%00bcdefghijklmnopqrstu',
      'x'.repeat(10_000),
      'abc/defghijklmnopqrstuvwx',
    ]) {
      expect((await t.req(`${t.endpoint}${bad}`, { method: 'HEAD' })).status).toBe(404)
    }
    const put = await t.req(t.endpoint, { method: 'PUT' })
    expect(put.status).toBe(405)
    expect(put.headers.get('allow')).toBe('POST, OPTIONS')
  })

  it('passes requests outside its path to next(), or answers 404 without one', async () => {
    const tus = createTusServer({ directory: '/nonexistent-never-created', path: '/up' })
    const next = vi.fn()
    const server = http.createServer((req, res) => {
      tus.handle(req, res, req.url === '/with-next' ? next : undefined)
      if (req.url === '/with-next') res.end('next')
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    expect(await (await fetch(`${base}/with-next`)).text()).toBe('next')
    expect(next).toHaveBeenCalledTimes(1)
    expect((await fetch(`${base}/upload`)).status).toBe(404)
    expect((await fetch(`${base}/elsewhere`)).status).toBe(404)
    server.close()
    await tus.close()
  })
})

describe('CORS', () => {
  it('answers preflights before any tus check and echoes allowed origins', async () => {
    t = await startTus({ corsOrigins: ['https://app.example'] })
    const pre = await fetch(`${t.endpoint}abcdefghijklmnopqrstuvwx`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'PATCH' },
    })
    expect(pre.status).toBe(204)
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(pre.headers.get('access-control-allow-methods')).toContain('PATCH')
    expect(pre.headers.get('access-control-allow-headers')).toContain('Upload-Offset')
    expect(pre.headers.get('access-control-max-age')).toBe('86400')
    const post = await create(t, { 'Upload-Length': '1', Origin: 'https://app.example' })
    expect(post.headers.get('access-control-allow-origin')).toBe('https://app.example')
    expect(post.headers.get('access-control-expose-headers')).toContain('Location')
    expect(post.headers.get('vary')).toBe('Origin')
    const other = await create(t, { 'Upload-Length': '1', Origin: 'https://evil.example' })
    expect(other.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('POST (creation)', () => {
  it.each([
    [{}, 400, /Upload-Length/],
    [{ 'Upload-Length': '5', 'Upload-Defer-Length': '1' }, 400, /not both/],
    [{ 'Upload-Defer-Length': '2' }, 400, /Upload-Defer-Length must be 1/],
    [{ 'Upload-Length': '-1' }, 400, /Upload-Length/],
    [{ 'Upload-Length': '1e3' }, 400, /Upload-Length/],
    [{ 'Upload-Length': '1001' }, 413, /maximum/],
    [{ 'Upload-Length': '1', 'Upload-Metadata': 'name !!!' }, 400, /Upload-Metadata/],
    [{ 'Upload-Length': '1', 'Upload-Concat': 'bogus' }, 400, /Upload-Concat/],
  ])('%j → %i', async (headers, status, message) => {
    t ??= await startTus({ maxSize: 1000 })
    const res = await create(t, headers as Record<string, string>)
    expect(res.status).toBe(status)
    expect(await res.text()).toMatch(message)
  })

  it('answers 201 with an absolute Location and stores metadata', async () => {
    t = await startTus()
    const res = await create(t, {
      'Upload-Length': '3',
      'Upload-Metadata': encodeMetadata({ filename: 'ü.txt', x: '' }),
    })
    expect(res.status).toBe(201)
    const location = res.headers.get('location')!
    expect(location).toMatch(new RegExp(`^${t.endpoint}[A-Za-z0-9_-]{24}$`))
    const head = await t.req(location, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('cache-control')).toBe('no-store')
    expect(head.headers.get('upload-offset')).toBe('0')
    expect(head.headers.get('upload-length')).toBe('3')
    expect(head.headers.get('upload-metadata')).toBe(encodeMetadata({ filename: 'ü.txt', x: '' }))
  })

  it('builds Location from forwarded headers only when asked, or relative', async () => {
    const fwd = { 'Upload-Length': '1', 'X-Forwarded-Host': 'up.example', 'X-Forwarded-Proto': 'https' }
    t = await startTus({ respectForwardedHeaders: true })
    expect((await create(t, fwd)).headers.get('location')).toMatch(/^https:\/\/up\.example\/files\//)
    await t.close()
    t = await startTus()
    expect((await create(t, fwd)).headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\//)
    await t.close()
    t = await startTus({ relativeLocation: true })
    expect((await create(t, fwd)).headers.get('location')).toMatch(/^\/files\/[A-Za-z0-9_-]{24}$/)
  })

  it('writes the body of creation-with-upload and honours X-HTTP-Method-Override', async () => {
    t = await startTus()
    const res = await create(t, {
      'Upload-Length': '5',
      'Content-Type': 'application/offset+octet-stream',
    })
    expect(res.status).toBe(201)
    const withBody = await t.req(t.endpoint, {
      method: 'POST',
      headers: { 'Upload-Length': '5', 'Content-Type': 'application/offset+octet-stream' },
      body: 'hello',
    })
    expect(withBody.headers.get('upload-offset')).toBe('5')
    const url = withBody.headers.get('location')!
    expect(await (await fetch(url)).text()).toBe('hello')
    const del = await t.req(url, { method: 'POST', headers: { 'X-HTTP-Method-Override': 'DELETE' } })
    expect(del.status).toBe(204)
    expect((await t.req(url, { method: 'HEAD' })).status).toBe(404)
  })
})

describe('creation-with-upload failures', () => {
  it('names the upload in Location when some bytes were kept, removes it when none were', async () => {
    t = await startTus()
    const post = (body: string[], headers: Record<string, string>) =>
      new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request(t!.endpoint, {
          method: 'POST',
          headers: {
            'Tus-Resumable': '1.0.0',
            'Content-Type': 'application/offset+octet-stream',
            ...headers,
          },
        })
        req.on('response', (res) => {
          res.resume()
          resolve(res)
        })
        req.on('error', reject)
        for (const piece of body) req.write(piece)
        req.end()
      })
    const over = await post(['ab', 'cdef'], { 'Upload-Length': '4' })
    expect(over.statusCode).toBe(413)
    const location = over.headers.location!
    expect(location).toMatch(/\/files\/[A-Za-z0-9_-]{24}$/)
    expect(await (await fetch(location)).text()).toBe('abcd')
    const mismatch = await post(['abc'], {
      'Upload-Length': '3',
      'Upload-Checksum': 'sha1 AAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    })
    expect(mismatch.statusCode).toBe(460)
    expect(mismatch.headers.location).toBeUndefined()
  })
})

describe('hooks and events', () => {
  it('onUploadCreate can reject with a TusError or replace metadata', async () => {
    const logger = { error: vi.fn() }
    t = await startTus({
      logger,
      onUploadCreate: async (req, upload) => {
        if (req.headers['x-reject']) throw new TusError('ERR_FORBIDDEN', 403, 'Not on my watch')
        if (req.headers['x-crash']) throw new Error('secret internals')
        return { metadata: { ...upload.metadata, owner: 'alice' } }
      },
    })
    const rejected = await create(t, { 'Upload-Length': '1', 'X-Reject': '1' })
    expect([rejected.status, await rejected.text()]).toEqual([403, 'Not on my watch'])
    const crashed = await create(t, { 'Upload-Length': '1', 'X-Crash': '1' })
    expect(crashed.status).toBe(500)
    expect(await crashed.text()).not.toMatch(/secret/)
    expect(logger.error).toHaveBeenCalledTimes(1)
    const ok = await create(t, { 'Upload-Length': '1' })
    const head = await t.req(ok.headers.get('location')!, { method: 'HEAD' })
    expect(head.headers.get('upload-metadata')).toBe(encodeMetadata({ owner: 'alice' }))
  })

  it('runs onUploadFinish once and emits lifecycle events', async () => {
    const finished = vi.fn(async () => {})
    t = await startTus({ onUploadFinish: finished })
    const events: string[] = []
    for (const e of ['upload-created', 'upload-progress', 'upload-finished', 'upload-terminated'] as const) {
      t.tus.on(e, () => events.push(e))
    }
    const url = (await create(t, { 'Upload-Length': '4' })).headers.get('location')!
    const patch = (offset: number, body: string) =>
      t!.req(url, {
        method: 'PATCH',
        headers: { 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
        body,
      })
    expect((await patch(0, 'ab')).status).toBe(204)
    expect((await patch(2, 'cd')).status).toBe(204)
    expect((await patch(4, '')).status).toBe(204)
    expect(finished).toHaveBeenCalledTimes(1)
    expect((await t.req(url, { method: 'DELETE' })).status).toBe(204)
    expect(events).toEqual([
      'upload-created',
      'upload-progress',
      'upload-progress',
      'upload-finished',
      'upload-terminated',
    ])
    const zero = await create(t, { 'Upload-Length': '0' })
    expect(zero.status).toBe(201)
    expect(finished).toHaveBeenCalledTimes(2)
  })
})
