import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import * as tus from 'tus-js-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsUpload, jsUploadThenAbort } from './helpers/js-client.js'
import { MIB, sha256File, sha256Url, writeRandomFile } from './helpers/random-file.js'
import { startTus, type Tus } from './helpers/start-tus.js'

// The official tus-js-client (Node build) against our server, byte for byte.

const SIZES = { empty: 0, one: 1, ten: 10 * MIB, big: 200 * MIB } as const
type Name = keyof typeof SIZES

let server: Tus
let srcDir: string
const files = {} as Record<Name, { path: string; sha256: string; size: number }>

beforeAll(async () => {
  srcDir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-interop-src-'))
  for (const [name, size] of Object.entries(SIZES) as [Name, number][]) {
    const file = path.join(srcDir, `${name}.bin`)
    files[name] = { path: file, size, sha256: await writeRandomFile(file, size) }
  }
  server = await startTus()
}, 120_000)

afterAll(async () => {
  await server?.close()
  if (srcDir) await rm(srcDir, { recursive: true, force: true })
})

const idOf = (url: string) => new URL(url).pathname.split('/').pop()!

async function expectStored(url: string, name: Name): Promise<void> {
  const { sha256, size } = files[name]
  expect(await sha256File(path.join(server.dir, idOf(url)))).toBe(sha256)
  const download = await sha256Url(url)
  expect(download).toMatchObject({ status: 200, sha256, length: size })
}

async function offsetOf(url: string): Promise<number> {
  const res = await server.req(url, { method: 'HEAD' })
  expect(res.status).toBe(200)
  return Number(res.headers.get('upload-offset'))
}

describe('tus-js-client → @shuttle/server', () => {
  it.each(['empty', 'one', 'ten', 'big'] as const)('uploads %s in a single request', async (name) => {
    const url = await jsUpload(files[name].path, {
      endpoint: server.endpoint,
      metadata: { filename: `${name}.bin`, filetype: 'application/x-test' },
    })
    await expectStored(url, name)
    const head = await server.req(url, { method: 'HEAD' })
    expect(head.headers.get('upload-length')).toBe(String(files[name].size))
    const download = await fetch(url)
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="${name}.bin"; filename*=UTF-8''${name}.bin`,
    )
    // Types off the inline allow-list download as bytes; the declared type stays in the metadata.
    expect(download.headers.get('content-type')).toBe('application/octet-stream')
    expect(head.headers.get('upload-metadata')).toContain(`filetype ${btoa('application/x-test')}`)
    await download.body?.cancel()
  })

  it.each(['one', 'ten', 'big'] as const)('uploads %s in 5 MiB chunks', async (name) => {
    const url = await jsUpload(files[name].path, { endpoint: server.endpoint, chunkSize: 5 * MIB })
    await expectStored(url, name)
  })

  it('uploads with creation-with-upload (data in the POST)', async () => {
    const url = await jsUpload(files.ten.path, {
      endpoint: server.endpoint,
      uploadDataDuringCreation: true,
      chunkSize: 4 * MIB,
    })
    await expectStored(url, 'ten')
  })

  it('resumes from the offset the server reports after an abort at ~50 %', async () => {
    const { size } = files.big
    const url = await jsUploadThenAbort(files.big.path, size, 0.5, { endpoint: server.endpoint })
    // The aborted request may still be flushing; wait until the offset settles.
    let offset = await offsetOf(url)
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 50))
      const next = await offsetOf(url)
      if (next === offset && offset > 0) break
      offset = next
    }
    expect(offset).toBeGreaterThan(0)
    expect(offset).toBeLessThan(size)
    const resumed = await jsUpload(files.big.path, { endpoint: server.endpoint, uploadUrl: url })
    expect(resumed).toBe(url)
    await expectStored(url, 'big')
  })

  it('resumes while the dropped request still holds the upload (lock takeover)', async () => {
    const { size } = files.big
    const url = await jsUploadThenAbort(files.big.path, size, 0.3, { endpoint: server.endpoint })
    // No waiting: the new PATCH asks the old one to release. The old request may store a few
    // more buffered bytes first, so the client's HEAD can be stale: the server answers 409 and
    // the client's ordinary retry (HEAD again, PATCH from there) carries on.
    const resumed = await jsUpload(files.big.path, {
      endpoint: server.endpoint,
      uploadUrl: url,
      retryDelays: [0, 100, 500],
    })
    expect(resumed).toBe(url)
    await expectStored(url, 'big')
  })

  it('uploads a stream of unknown length (uploadLengthDeferred) in 3 MiB chunks', async () => {
    const url = await new Promise<string>((resolve, reject) => {
      const upload: tus.Upload = new tus.Upload(createReadStream(files.ten.path).pipe(new PassThrough()), {
        endpoint: server.endpoint,
        uploadLengthDeferred: true,
        chunkSize: 3 * MIB,
        retryDelays: [],
        onSuccess: () => resolve(upload.url ?? ''),
        onError: reject,
      })
      upload.start()
    })
    const head = await server.req(url, { method: 'HEAD' })
    expect(head.headers.get('upload-length')).toBe(String(files.ten.size))
    await expectStored(url, 'ten')
  })

  it('assembles parallelUploads: 4 through concatenation', async () => {
    const url = await jsUpload(files.ten.path, { endpoint: server.endpoint, parallelUploads: 4 })
    const head = await server.req(url, { method: 'HEAD' })
    expect(head.headers.get('upload-concat')).toMatch(/^final;(\S+ ){3}\S+$/)
    // The final upload links its 4 parts' files (<id>.0 … <id>.3) instead of copying them.
    const id = idOf(url)
    const segments = [0, 1, 2, 3].map((k) => path.join(server.dir, `${id}.${k}`))
    const hash = createHash('sha256')
    for (const s of segments) for await (const chunk of createReadStream(s)) hash.update(chunk as Buffer)
    expect(hash.digest('hex')).toBe(files.ten.sha256)
    await expect(readFile(path.join(server.dir, id))).rejects.toThrow(/ENOENT/)
    expect((await sha256Url(url)).sha256).toBe(files.ten.sha256)
  })

  it('terminates a finished upload with tus.Upload.terminate', async () => {
    const url = await jsUpload(files.one.path, { endpoint: server.endpoint })
    await tus.Upload.terminate(url, { retryDelays: [] })
    expect((await server.req(url, { method: 'HEAD' })).status).toBe(404)
    await expect(readFile(path.join(server.dir, idOf(url)))).rejects.toThrow(/ENOENT/)
  })

  it('terminates an unfinished upload with abort(true)', async () => {
    const url = await new Promise<string>((resolve, reject) => {
      let done = false
      const upload: tus.Upload = new tus.Upload(Buffer.alloc(8 * MIB, 7), {
        endpoint: server.endpoint,
        chunkSize: MIB,
        retryDelays: [],
        onChunkComplete: () => {
          if (done || !upload.url) return
          done = true
          const u = upload.url
          upload.abort(true).then(() => resolve(u), reject)
        },
        onError: reject,
      })
      upload.start()
    })
    expect((await server.req(url, { method: 'HEAD' })).status).toBe(404)
  })
})
