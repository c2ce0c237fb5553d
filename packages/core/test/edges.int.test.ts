import { describe, expect, it } from 'vitest'
import { firstEntries, recordTransitions, statusOf, waitForCompletion } from './helpers/engine.js'
import { MiB, sleep, waitUntil } from './helpers/files.js'
import { rawRequest, withOrigin } from './helpers/servers.js'
import { useSourceFiles } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// Edges of the lifecycle that lose data or stall a queue when they go wrong.
const SIZE = 6 * MiB
const CHUNK = 1 * MiB
const RATE = 6 * MiB

const files = useSourceFiles('edges-src', [SIZE, SIZE, SIZE])

describe('lifecycle edges', () => {
  const stack = useStack('shuttle', { bytesPerSecond: RATE })

  it('cancel and remove of a completed file never delete the finished upload', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: CHUNK })
    const [a, b] = u.add([files[0]!.path, files[1]!.path]) as [string, string]
    await waitForCompletion(u, [a, b], 30_000)
    const urlA = u.getFile(a)!.url!
    const urlB = u.getFile(b)!.url!

    // Canceling a finished file is refused (or a no-op); either way the upload stays.
    await u
      .cancel(a)
      .catch((err: unknown) => expect((err as { code?: string }).code).toBe('ERR_INVALID_TRANSITION'))
    expect(statusOf(u, a)).toBe('completed')
    await u.remove(b)
    expect(u.getFiles().map((f) => f.id)).toEqual([a])
    await sleep(200)
    expect(proxy.log.filter((e) => e.method === 'DELETE')).toEqual([])
    for (const [url, f] of [
      [urlA, files[0]!],
      [urlB, files[1]!],
    ] as const) {
      const head = await rawRequest('HEAD', withOrigin(url, server.origin))
      expect(head.status).toBe(200)
      expect(Number(head.headers['upload-offset'])).toBe(SIZE)
      expect(await server.storedSha256(url)).toBe(f.sha256)
    }
  })

  it('pausing a queued file lets the queue pass it, and it uploads once resumed', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: CHUNK, maxConcurrentUploads: 1 })
    const transitions = recordTransitions(u)
    const [a, b, c] = u.add(files.map((f) => f.path)) as [string, string, string]
    await waitUntil(() => statusOf(u, a) === 'uploading', 5_000, 'A to start')
    u.pause(b)
    expect(statusOf(u, b)).toBe('paused')
    await waitForCompletion(u, [a, c], 30_000)
    expect(statusOf(u, b)).toBe('paused')
    expect(proxy.log.filter((e) => e.filename === files[1]!.name)).toEqual([])
    u.resume(b)
    await waitForCompletion(u, [b], 30_000)
    expect(firstEntries(transitions, ['uploading'])).toEqual([a, c, b])
    expect(await server.storedSha256(u.getFile(b)!.url!)).toBe(files[1]!.sha256)
  })

  it('cancel of a paused file deletes its upload on the server', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: CHUNK })
    const [a] = u.add(files[0]!.path) as [string]
    await waitUntil(() => (u.getFile(a)?.bytesConfirmed ?? 0) >= 2 * CHUNK, 20_000, 'two confirmed chunks')
    u.pause(a)
    const url = u.getFile(a)!.url!
    await sleep(200)
    await u.cancel(a)
    expect(statusOf(u, a)).toBe('canceled')
    expect([404, 410]).toContain((await rawRequest('HEAD', withOrigin(url, server.origin))).status)
    expect(await server.storedUploads()).toEqual([])
  })

  it('progress never goes backwards across pause and resume, and queue-drained fires once at the end', async () => {
    const { proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: CHUNK, maxConcurrentUploads: 2 })
    const confirmed = new Map<string, number[]>()
    u.on('progress', ({ id, bytesConfirmed, bytesSent, bytesTotal }) => {
      expect(bytesConfirmed).toBeLessThanOrEqual(bytesSent)
      expect(bytesSent).toBeLessThanOrEqual(bytesTotal ?? Number.POSITIVE_INFINITY)
      confirmed.set(id, [...(confirmed.get(id) ?? []), bytesConfirmed])
    })
    const drained: number[] = []
    u.on('queue-drained', () => drained.push(Date.now()))
    const ids = u.add(files.map((f) => f.path)) as [string, string, string]
    await waitUntil(
      () => (u.getFile(ids[0])?.bytesConfirmed ?? 0) >= 2 * CHUNK,
      20_000,
      'two confirmed chunks',
    )
    u.pause(ids[0])
    await sleep(300)
    u.resume(ids[0])
    await waitForCompletion(u, ids, 40_000)
    await sleep(100)
    expect(drained).toHaveLength(1)
    for (const id of ids) {
      const series = confirmed.get(id) ?? []
      expect(series.length).toBeGreaterThan(0)
      for (let i = 1; i < series.length; i++) expect(series[i]!).toBeGreaterThanOrEqual(series[i - 1]!)
      expect(series.at(-1)).toBe(SIZE)
      expect(u.getFile(id)?.percent).toBe(100)
    }
  })

  it('sends the chosen name, options metadata and per-add metadata in Upload-Metadata', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      metadata: { owner: 'ops', album: 'default' },
    })
    const [id] = u.add({ path: files[0]!.path, name: 'renamed ü.bin' }, { album: 'holidays' }) as [string]
    expect(u.getFile(id)?.name).toBe('renamed ü.bin')
    await waitForCompletion(u, [id], 30_000)
    const head = await rawRequest('HEAD', withOrigin(u.getFile(id)!.url!, server.origin))
    const pairs = String(head.headers['upload-metadata'] ?? '')
      .split(',')
      .map((p) => p.trim().split(' '))
    const meta = Object.fromEntries(
      pairs.map(([k, v]) => [k, Buffer.from(v ?? '', 'base64').toString('utf8')]),
    )
    expect(meta).toMatchObject({ filename: 'renamed ü.bin', owner: 'ops', album: 'holidays' })
    expect(proxy.log.find((e) => e.method === 'POST')?.filename).toBe('renamed ü.bin')
  })
})
