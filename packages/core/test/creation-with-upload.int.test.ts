import { randomBytes } from 'node:crypto'
import { createMemoryCheckpointStore } from '@shuttle/core'
import { describe, expect, it } from 'vitest'
import { waitForCompletion } from './helpers/engine.js'
import { MiB, sha256OfBytes, sleep, waitUntil } from './helpers/files.js'
import { startFlakyProxy } from './helpers/flaky-proxy.js'
import { startRecordingProxy } from './helpers/recording-proxy.js'
import type { ServerKind } from './helpers/servers.js'
import { useSourceFile } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// creation-with-upload: the first min(size, creationWithUpload = 4 MiB, chunkSize) bytes ride in the
// creation POST, so a small file is one request. Counted at the wire (a recording proxy), checked
// by the sha256 of what each server stored on disk, against our server and @tus/server.

const big = useSourceFile('cwu-src', 'ten.bin', 10 * MiB)

describe.each(['shuttle', 'tus-node'] as const)('creation-with-upload against %s', (kind: ServerKind) => {
  const stack = useStack(kind)

  it('the server advertises it', async () => {
    const { proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint })
    const [id] = u.add(randomBytes(1000))
    await waitForCompletion(u, [id!], 10_000)
    const options = proxy.log.find((e) => e.method === 'OPTIONS')
    expect(options?.status).toBe(204)
    expect(proxy.byMethod().POST).toEqual({ count: 1, bytes: 1000 })
  })

  it('ten 1 MiB buffers: one OPTIONS for the uploader, one POST each carrying all bytes, no PATCH', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, maxConcurrentUploads: 10 })
    const buffers = Array.from({ length: 10 }, () => randomBytes(MiB))
    const ids = u.add(buffers.map((data, i) => ({ data, name: `b${i}.bin` })))
    await waitForCompletion(u, ids, 30_000)

    const m = proxy.byMethod()
    expect(m.OPTIONS?.count).toBe(1)
    expect(m.POST).toEqual({ count: 10, bytes: 10 * MiB })
    expect(m.PATCH).toBeUndefined()
    expect(m.HEAD).toBeUndefined()
    expect(proxy.log.every((e) => e.status !== null && e.status < 300)).toBe(true)
    for (const [i, id] of ids.entries()) {
      const f = u.getFile(id)
      expect(f?.bytesConfirmed).toBe(MiB)
      expect(proxy.requestsFor(f!.url!).map((e) => [e.method, e.bytes])).toEqual([['POST', MiB]])
      expect(await server.storedSha256(f!.url!), `sha256 of buffer ${i}`).toBe(sha256OfBytes(buffers[i]!))
    }
  })

  it('a 10 MiB file with chunkSize 8 MiB: the POST carries 4 MiB, then PATCHes that end on multiples of 8 MiB', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: 8 * MiB })
    const [id] = u.add(big.path) as [string]
    await waitForCompletion(u, [id], 30_000)
    const url = u.getFile(id)!.url!
    expect(proxy.requestsFor(url).map((e) => [e.method, e.offset, e.bytes, e.status])).toEqual([
      ['POST', null, 4 * MiB, 201],
      // [4, 8) MiB realigns, so a store with 8 MiB parts stores each chunk as one part.
      ['PATCH', 4 * MiB, 4 * MiB, 204],
      ['PATCH', 8 * MiB, 2 * MiB, 204],
    ])
    expect(await server.storedSha256(url)).toBe(big.sha256)
  })

  it('a server that does not list it (stripped from OPTIONS) gets a POST without body, then a PATCH', async () => {
    const { server } = stack
    const proxy = await stack.replaceProxy(() =>
      startRecordingProxy(server.endpoint, {
        mapResponseHeaders: (method, headers) => {
          if (method !== 'OPTIONS') return
          const list = String(headers['tus-extension'] ?? '')
          expect(list).toContain('creation-with-upload') // the real server does offer it
          headers['tus-extension'] = list
            .split(',')
            .filter((x) => x.trim() !== 'creation-with-upload')
            .join(',')
        },
      }),
    )
    const u = stack.uploader({ endpoint: proxy.endpoint, maxConcurrentUploads: 3 })
    const buffers = [randomBytes(MiB), randomBytes(MiB), randomBytes(MiB)]
    const ids = u.add(buffers)
    await waitForCompletion(u, ids, 30_000)
    const m = proxy.byMethod()
    expect(m.OPTIONS?.count).toBe(1)
    expect(m.POST).toEqual({ count: 3, bytes: 0 })
    expect(m.PATCH).toEqual({ count: 3, bytes: 3 * MiB })
    for (const [i, id] of ids.entries())
      expect(await server.storedSha256(u.getFile(id)!.url!)).toBe(sha256OfBytes(buffers[i]!))
  })

  it('creationWithUpload: 0 sends no OPTIONS and a POST without body', async () => {
    const { server, proxy } = stack
    // checksum: false, since verification (on by default) asks OPTIONS itself (verify.int.test.ts).
    const u = stack.uploader({ endpoint: proxy.endpoint, creationWithUpload: 0, checksum: false })
    const data = randomBytes(MiB)
    const [id] = u.add(data) as [string]
    await waitForCompletion(u, [id], 30_000)
    const url = u.getFile(id)!.url!
    expect(proxy.log.map((e) => [e.method, e.bytes])).toEqual([
      ['POST', 0],
      ['PATCH', MiB],
    ])
    expect(await server.storedSha256(url)).toBe(sha256OfBytes(data))
  })

  it('a 0-byte buffer is one POST without body and completes (after the one OPTIONS)', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint })
    const [id] = u.add({ data: new Uint8Array(0), name: 'empty.bin' }) as [string]
    await waitForCompletion(u, [id], 10_000)
    expect(proxy.log.map((e) => [e.method, e.bytes, e.status])).toEqual([
      ['OPTIONS', 0, 204],
      ['POST', 0, 201],
    ])
    expect(await server.storedSize(u.getFile(id)!.url!)).toBe(0)
  })

  it('a connection cut during the POST body is retried as a fresh creation and arrives intact', async () => {
    const { server } = stack
    // One cut, 300-600 KiB into the connection: inside the body of the 1 MiB POST (the OPTIONS
    // before it on the same keep-alive socket is a few hundred bytes).
    const flaky = await startFlakyProxy(server.endpoint, {
      seed: 7,
      maxCuts: 1,
      minBytes: 300 * 1024,
      maxBytes: 600 * 1024,
    })
    try {
      const u = stack.uploader({ endpoint: flaky.endpoint, retryDelays: [0, 100, 200] })
      const retries: string[] = []
      u.on('retry', ({ error }) => retries.push(`${error.code} ${error.message}`))
      const created: string[] = []
      u.on('upload-created', ({ url }) => created.push(url))
      const data = randomBytes(MiB)
      const [id] = u.add(data) as [string]
      await waitForCompletion(u, [id], 30_000)
      expect(flaky.cuts).toBe(1)
      expect(retries).toHaveLength(1)
      expect(retries[0]).toMatch(/^ERR_NETWORK POST /)
      // The cut POST's URL was never learned: exactly one upload was announced, and it holds the file.
      expect(created).toHaveLength(1)
      expect(u.getFile(id)).toMatchObject({ status: 'completed', bytesConfirmed: MiB, attempts: 1 })
      expect(await server.storedSha256(u.getFile(id)!.url!)).toBe(sha256OfBytes(data))
    } finally {
      await flaky.close()
    }
  })

  it('pause during the POST body lets the creation finish: one upload on the server, resumed from its offset', async () => {
    const { server, proxy } = stack
    proxy.setRate(2 * MiB) // the 4 MiB POST takes ~2 s
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: 8 * MiB })
    const created: string[] = []
    u.on('upload-created', ({ url }) => created.push(url))
    const [id] = u.add(big.path) as [string]
    await waitUntil(
      () => proxy.log.some((e) => e.method === 'POST' && e.bytes >= MiB),
      10_000,
      'the POST to carry 1 MiB',
    )
    // The server has created the upload by now: aborting the POST would leave it orphaned.
    u.pause(id)
    expect(u.getFile(id)).toMatchObject({ status: 'paused', bytesConfirmed: 0 })
    await waitUntil(() => u.getFile(id)?.url !== undefined, 10_000, 'the paused file to learn its URL')
    await waitUntil(() => proxy.log.every((e) => e.end !== null), 3_000, 'the POST to end')
    const firstPost = proxy.log.find((e) => e.method === 'POST')!
    expect(firstPost).toMatchObject({ aborted: false, status: 201, bytes: 4 * MiB })
    expect(created).toEqual([u.getFile(id)!.url])
    // After the creation, a paused file sends nothing until resumed.
    const requests = proxy.log.length
    const bytes = proxy.log.reduce((n, e) => n + e.bytes, 0)
    await sleep(800)
    expect(proxy.log.length).toBe(requests)
    expect(proxy.log.reduce((n, e) => n + e.bytes, 0)).toBe(bytes)
    expect(u.getFile(id)?.status).toBe('paused')

    proxy.setRate(null)
    u.resume(id)
    await waitForCompletion(u, [id], 30_000)
    const url = u.getFile(id)!.url!
    expect(proxy.requestsFor(url).map((e) => [e.method, e.offset, e.bytes])).toEqual([
      ['POST', null, 4 * MiB],
      ['HEAD', null, 0],
      // Chunks end on multiples of chunkSize: [4, 8) MiB realigns, then the rest.
      ['PATCH', 4 * MiB, 4 * MiB],
      ['PATCH', 8 * MiB, 2 * MiB],
    ])
    expect(proxy.byMethod().POST?.count).toBe(1)
    expect(await server.storedUploads()).toHaveLength(1)
    expect(await server.storedSha256(url)).toBe(big.sha256)
  })

  it('resume right after pause waits for the creation in flight instead of creating a second upload', async () => {
    const { server, proxy } = stack
    proxy.setRate(2 * MiB)
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: 8 * MiB })
    const [id] = u.add(big.path) as [string]
    await waitUntil(
      () => proxy.log.some((e) => e.method === 'POST' && e.bytes >= MiB),
      10_000,
      'the POST to carry 1 MiB',
    )
    u.pause(id)
    u.resume(id)
    proxy.setRate(null)
    await waitForCompletion(u, [id], 30_000)
    expect(proxy.byMethod().POST?.count).toBe(1)
    expect(await server.storedUploads()).toHaveLength(1)
    expect(await server.storedSha256(u.getFile(id)!.url!)).toBe(big.sha256)
  })

  it('destroy during the POST body keeps its URL in the checkpoint store: a new uploader resumes it', async () => {
    const { server, proxy } = stack
    proxy.setRate(2 * MiB)
    const checkpoints = createMemoryCheckpointStore()
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: 8 * MiB, checkpointStore: checkpoints })
    const [id] = u.add(big.path) as [string]
    await waitUntil(
      () => proxy.log.some((e) => e.method === 'POST' && e.bytes >= MiB),
      10_000,
      'the POST to carry 1 MiB',
    )
    u.pauseAll()
    await u.destroy()
    expect(u.getFile(id)?.url).toBeDefined()
    proxy.setRate(null)
    const again = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: 8 * MiB,
      checkpointStore: checkpoints,
    })
    const [id2] = again.add(big.path) as [string]
    await waitForCompletion(again, [id2], 30_000)
    expect(again.getFile(id2)?.url).toBe(u.getFile(id)?.url)
    expect(proxy.byMethod().POST?.count).toBe(1)
    expect(await server.storedUploads()).toHaveLength(1)
    expect(await server.storedSha256(again.getFile(id2)!.url!)).toBe(big.sha256)
  })
})
