import { createHash, randomBytes } from 'node:crypto'
import { stat } from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startServer, type TestServer } from './helpers/server.js'

// checksum-trailer and Repr-Digest over real sockets: the one-request path verifies a body whose
// checksum comes after it, keeps none of a mismatching one, and a finished upload states the SHA-256
// of the bytes it stored.

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest()
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64')

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

function request(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Uint8Array,
  trailer?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const h: Record<string, string> = { 'Tus-Resumable': '1.0.0', ...headers }
    if (trailer !== undefined) h.Trailer = 'Upload-Checksum'
    else if (body && h.Trailer === undefined) h['Content-Length'] = String(body.length)
    const r = http.request(url, { method, headers: h }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (s: string) => (text += s))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }))
    })
    r.on('error', reject)
    if (body) {
      // Several writes, as a streaming client sends them.
      for (let at = 0; at < body.length; at += 64 * 1024) r.write(body.subarray(at, at + 64 * 1024))
    }
    if (trailer !== undefined) r.addTrailers({ 'Upload-Checksum': trailer })
    r.end()
  })
}

async function create(server: TestServer, size: number): Promise<string> {
  const res = await request(server.endpoint, 'POST', { 'Upload-Length': String(size) })
  expect(res.status).toBe(201)
  return new URL(res.headers.location as string, server.endpoint).href
}

const patch = (url: string, offset: number, body: Uint8Array, trailer?: string, extra = {}) =>
  request(
    url,
    'PATCH',
    { 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream', ...extra },
    body,
    trailer,
  )

let server: TestServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('checksum-trailer and Repr-Digest', () => {
  it('advertises checksum-trailer in OPTIONS', async () => {
    server = await startServer()
    const res = await request(server.endpoint, 'OPTIONS', {})
    expect(String(res.headers['tus-extension']).split(',')).toContain('checksum-trailer')
  })

  it('keeps a body whose trailer matches and answers the finishing PATCH, HEAD and GET with Repr-Digest', async () => {
    server = await startServer()
    const file = randomBytes(3 * 1024 * 1024 + 17)
    const url = await create(server, file.length)
    const res = await patch(url, 0, file, `sha256 ${b64(sha256(file))}`)
    expect(res.status).toBe(204)
    expect(res.headers['upload-offset']).toBe(String(file.length))
    const expected = `sha-256=:${b64(sha256(file))}:`
    expect(res.headers['repr-digest']).toBe(expected)
    const head = await request(url, 'HEAD', {})
    expect(head.headers['repr-digest']).toBe(expected)
    const get = await request(url, 'GET', {})
    expect(get.headers['repr-digest']).toBe(expected)
  })

  it('refuses a body whose trailer does not match with 460 and keeps none of it', async () => {
    server = await startServer()
    const file = randomBytes(2 * 1024 * 1024)
    const url = await create(server, file.length)
    const first = file.subarray(0, 1024 * 1024)
    expect((await patch(url, 0, first, `sha256 ${b64(sha256(first))}`)).status).toBe(204)
    const rest = file.subarray(1024 * 1024)
    const damaged = Buffer.from(rest)
    damaged[12345] = (damaged[12345] as number) ^ 0x10
    // The client hashed what it meant to send; the bytes that arrived differ by one bit.
    const refused = await patch(url, first.length, damaged, `sha256 ${b64(sha256(rest))}`)
    expect(refused.status).toBe(460)
    expect(refused.body).toMatch(/none were kept/)
    const head = await request(url, 'HEAD', {})
    expect(head.headers['upload-offset']).toBe(String(first.length))
    expect(head.headers['repr-digest']).toBeUndefined()
    const again = await patch(url, first.length, rest, `sha256 ${b64(sha256(rest))}`)
    expect(again.status).toBe(204)
    expect(again.headers['repr-digest']).toBe(`sha-256=:${b64(sha256(file))}:`)
  })

  it('refuses a trailer that was announced but not sent, and one in another algorithm', async () => {
    server = await startServer()
    const file = randomBytes(100_000)
    const url = await create(server, file.length)
    const missing = await request(
      url,
      'PATCH',
      { 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream', Trailer: 'Upload-Checksum' },
      file,
    )
    expect(missing.status).toBe(460)
    // Named, so a client behind a proxy that drops trailers stops sending them.
    expect(missing.headers['upload-checksum-trailer']).toBe('missing')
    const md5 = createHash('md5').update(file).digest()
    const other = await patch(url, 0, file, `md5 ${b64(md5)}`)
    expect(other.status).toBe(400)
    expect(other.body).toMatch(/must be sha256/)
    expect((await request(url, 'HEAD', {})).headers['upload-offset']).toBe('0')
  })

  it('states the digest of the stored bytes after chunks, a restart of the server, and a concatenation-free resume', async () => {
    server = await startServer()
    const file = randomBytes(5 * 1024 * 1024 + 3)
    const url = await create(server, file.length)
    const cut = 2 * 1024 * 1024 + 1
    // Plain PATCH (no checksum, no Want-Repr-Digest): nothing hashed on the write path.
    expect((await patch(url, 0, file.subarray(0, cut))).status).toBe(204)
    const restarted = await startServer({ directory: server.dir })
    try {
      const url2 = url.replace(server.endpoint, restarted.endpoint)
      const tail = file.subarray(cut)
      const res = await patch(url2, cut, tail, `sha256 ${b64(sha256(tail))}`)
      expect(res.status).toBe(204)
      // Recomputed from the stored bytes: the running state was not known in this process.
      expect(res.headers['repr-digest']).toBe(`sha-256=:${b64(sha256(file))}:`)
    } finally {
      await restarted.http.close()
    }
  })

  it('a checksummed chunk cut off mid-body (hashed, not kept) does not poison the digest of what is stored', async () => {
    server = await startServer()
    const file = randomBytes(2 * 1024 * 1024)
    const url = await create(server, file.length)
    const half = file.subarray(0, 1024 * 1024)
    const rest = file.subarray(half.length)
    expect((await patch(url, 0, half, `sha256 ${b64(sha256(half))}`)).status).toBe(204)
    // The next chunk's first 300 KiB arrive, then the client is gone: nothing of it may count.
    await new Promise<void>((resolve) => {
      const r = http.request(url, {
        method: 'PATCH',
        headers: {
          'Tus-Resumable': '1.0.0',
          'Upload-Offset': String(half.length),
          'Content-Type': 'application/offset+octet-stream',
          'Content-Length': String(rest.length),
          'Upload-Checksum': `sha256 ${b64(sha256(rest))}`,
        },
      })
      r.on('error', () => resolve())
      r.on('close', () => resolve())
      r.write(rest.subarray(0, 300 * 1024))
      // Cut once the server has hashed those bytes and written them (in place, not yet counted).
      const dataFile = path.join(server!.dir, `${new URL(url).pathname.split('/').pop()}`)
      const poll = () =>
        stat(dataFile).then(
          (st) => (st.size >= half.length + 256 * 1024 ? r.destroy() : setImmediate(poll)),
          () => setImmediate(poll),
        )
      poll()
    })
    // HEAD waits for the cut request to let go of the upload.
    expect((await request(url, 'HEAD', {})).headers['upload-offset']).toBe(String(half.length))
    const res = await patch(url, half.length, rest, `sha256 ${b64(sha256(rest))}`)
    expect(res.status).toBe(204)
    expect(res.headers['repr-digest']).toBe(`sha-256=:${b64(sha256(file))}:`)
  })

  it('answers Want-Repr-Digest on a PATCH without checksum, and nothing to a client that asked for nothing', async () => {
    server = await startServer()
    const file = randomBytes(70_000)
    const a = await create(server, file.length)
    const asked = await patch(a, 0, file, undefined, { 'Want-Repr-Digest': 'sha-256=10' })
    expect(asked.headers['repr-digest']).toBe(`sha-256=:${b64(sha256(file))}:`)
    const b = await create(server, file.length)
    const plain = await patch(b, 0, file)
    expect(plain.status).toBe(204)
    expect(plain.headers['repr-digest']).toBeUndefined()
  })
})
