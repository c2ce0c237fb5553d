import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { linkedController } from '../platform.js'
import { createNodeFileReader } from './node-file-reader.js'
import { createNodeHttpClient } from './node-http-client.js'
import { openPathSource } from './path-source.js'

let server: http.Server
let origin: string
let dir: string
let path: string
const bodies: Array<{ url: string; body: Buffer; headers: http.IncomingHttpHeaders }> = []
const bytes = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 5 }, (_, i) => i % 253))

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shuttle-node-http-'))
  path = join(dir, 'data.bin')
  await writeFile(path, bytes)
  server = http.createServer((req, res) => {
    if (req.url === '/early') {
      res.writeHead(409).end('offset mismatch')
      return
    }
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      bodies.push({ url: req.url ?? '', body: Buffer.concat(chunks), headers: req.headers })
      if (req.url === '/hang') return
      res.writeHead(201, { Location: '/files/1', 'Upload-Offset': '7' }).end('created')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((r) => server.close(r))
  await rm(dir, { recursive: true, force: true })
})

const signal = () => linkedController().controller.signal

describe('path source', () => {
  it('reads and streams exact ranges', async () => {
    const source = await openPathSource(path, { name: 'data.bin', type: '' })
    expect(source.info.size).toBe(bytes.length)
    expect(Buffer.from(await source.read(1000, 1010)).equals(bytes.subarray(1000, 1010))).toBe(true)
    const pieces: Uint8Array[] = []
    for await (const p of source.stream?.(5, 2 * 1024 * 1024 + 9) ?? []) pieces.push(p)
    expect(Buffer.concat(pieces).equals(bytes.subarray(5, 2 * 1024 * 1024 + 9))).toBe(true)
    expect(Math.max(...pieces.map((p) => p.length))).toBe(1024 * 1024) // 1 MiB reads
  })

  it('fails with ERR_SOURCE_READ for a missing file', async () => {
    await expect(openPathSource(join(dir, 'missing'), { name: 'm', type: '' })).rejects.toMatchObject({
      code: 'ERR_SOURCE_READ',
    })
  })

  it('the reader describes paths without touching the disk and opens bytes with a content hash', async () => {
    const reader = createNodeFileReader()
    expect(reader.describe('/x/y/photo.png')).toEqual({ name: 'photo.png', type: 'image/png', size: null })
    expect(reader.describe({ path: '/x/y', name: 'z.txt' })).toEqual({
      name: 'z.txt',
      type: 'text/plain',
      size: null,
    })
    expect(reader.describe({ data: new Uint8Array(3), name: 'd' })).toMatchObject({ size: 3 })
    const src = await reader.open({ data: new Uint8Array([1, 2]), name: 'd' }, signal())
    expect(src.info.contentHash).toMatch(/^xxh128:[0-9a-f]{32}$/)
    expect(() => reader.describe(42)).toThrow(/file path/)
  })
})

describe('node HttpClient', () => {
  it('streams a file range with Content-Length and counts bytes written', async () => {
    const client = createNodeHttpClient()
    const source = await openPathSource(path, { name: 'data.bin', type: '' })
    const progress: number[] = []
    const res = await client.send({
      method: 'PATCH',
      url: `${origin}/files/1`,
      headers: { 'Upload-Offset': '0' },
      body: { kind: 'range', source, start: 10, end: bytes.length },
      signal: signal(),
      onUploadProgress: (n) => progress.push(n),
    })
    expect(res.status).toBe(201)
    expect(res.header('Upload-Offset')).toBe('7')
    expect(res.body).toBe('created')
    const last = bodies.at(-1)
    expect(last?.headers['content-length']).toBe(String(bytes.length - 10))
    expect(last?.body.equals(bytes.subarray(10))).toBe(true)
    expect(progress.at(-1)).toBe(bytes.length - 10)
  })

  it('resolves an early answer (409 before the body is read) without streaming the rest', async () => {
    const client = createNodeHttpClient()
    const source = await openPathSource(path, { name: 'data.bin', type: '' })
    let sent = 0
    const res = await client.send({
      method: 'PATCH',
      url: `${origin}/early`,
      headers: {},
      body: { kind: 'range', source, start: 0, end: bytes.length },
      signal: signal(),
      onUploadProgress: (n) => {
        sent = n
      },
    })
    expect(res.status).toBe(409)
    expect(res.body).toBe('offset mismatch')
    await new Promise((r) => setTimeout(r, 50))
    expect(sent).toBeLessThan(bytes.length)
  })

  it('builds multipart/form-data with fields and the file', async () => {
    const client = createNodeHttpClient()
    const reader = createNodeFileReader()
    const source = await reader.open({ data: Buffer.from('hello'), name: 'h.txt' }, signal())
    await client.send({
      method: 'POST',
      url: `${origin}/form`,
      headers: {},
      body: {
        kind: 'form',
        fieldName: 'upload',
        fields: { k: 'v' },
        source,
        filename: 'h.txt',
        contentType: 'text/plain',
      },
      signal: signal(),
    })
    const last = bodies.at(-1)
    const text = last?.body.toString() ?? ''
    expect(last?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/)
    expect(Number(last?.headers['content-length'])).toBe(last?.body.length)
    expect(text).toContain('name="k"\r\n\r\nv\r\n')
    expect(text).toContain('name="upload"; filename="h.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n')
  })

  it('aborts with ERR_ABORTED and reports refused connections as NetworkError', async () => {
    const client = createNodeHttpClient()
    const { controller } = linkedController()
    const pending = client.send({
      method: 'POST',
      url: `${origin}/hang`,
      headers: {},
      signal: controller.signal,
    })
    setTimeout(() => controller.abort(), 30)
    await expect(pending).rejects.toMatchObject({ code: 'ERR_ABORTED' })
    await expect(
      client.send({ method: 'GET', url: 'http://127.0.0.1:9/', headers: {}, signal: signal() }),
    ).rejects.toMatchObject({
      code: 'ERR_NETWORK',
      retryable: true,
    })
  })
})
