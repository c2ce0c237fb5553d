import { describe, expect, it } from 'vitest'
import { recordingHttpClient, statusOf, waitForCompletion } from './helpers/engine.js'
import { MiB, sleep, waitUntil } from './helpers/files.js'
import { useSourceFile } from './helpers/source-files.js'
import { startStack } from './helpers/stack.js'

// parallelUploads: N partial uploads of one file (tus concatenation) against our server, which
// supports it, and a plain single upload against @tus/server, which does not announce it.
const SIZE = 24 * MiB
const CHUNK = 2 * MiB
const RATE = 8 * MiB
const PARTS = 3

const file = useSourceFile('parallel-src', 'parts.bin', SIZE)

describe('parallel parts of one file', () => {
  it('uploads 3 parts at once, pauses and resumes them, and the final upload is byte-identical', async () => {
    const stack = await startStack('shuttle', { bytesPerSecond: RATE })
    const { server, proxy } = stack
    const { client, sends } = recordingHttpClient()
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      parallelUploads: PARTS,
      httpClient: client,
    })
    const restarts: string[] = []
    u.on('upload-restarted', ({ id }) => restarts.push(id))
    const [id] = u.add(file.path) as [string]

    await waitUntil(
      () => (u.getFile(id)?.bytesConfirmed ?? 0) >= PARTS * CHUNK,
      20_000,
      'three chunks confirmed',
    )
    // All parts were in flight at the same time.
    const partPosts = proxy.log.filter((e) => e.method === 'POST')
    expect(partPosts.map((e) => e.concat)).toEqual(Array(PARTS).fill('partial'))
    u.pause(id)
    const pausedAt = Date.now()
    expect(statusOf(u, id)).toBe('paused')
    await sleep(1_000)
    expect(sends.filter((s) => s.at >= pausedAt && !s.abortedAtCall)).toEqual([])

    u.resume(id)
    await waitForCompletion(u, [id], 60_000)
    const url = u.getFile(id)!.url!
    expect(restarts).toEqual([])
    // The parts were created once each, then one final upload joined them.
    const posts = proxy.log.filter((e) => e.method === 'POST')
    expect(posts).toHaveLength(PARTS + 1)
    expect(posts[PARTS]!.uploadPath).toBe(new URL(url).pathname)
    expect(posts[PARTS]!.concat).toMatch(/^final;/)
    // Each part lost at most its chunk in flight to the pause.
    const bodyBytes = proxy.log.filter((e) => e.method === 'PATCH').reduce((n, e) => n + e.bytes, 0)
    expect(bodyBytes).toBeGreaterThanOrEqual(SIZE)
    expect(bodyBytes).toBeLessThanOrEqual(SIZE + PARTS * CHUNK)
    expect(await server.storedSha256(url)).toBe(file.sha256)
  })

  it('falls back to one upload when the server lacks concatenation (@tus/server)', async () => {
    const stack = await startStack('tus-node', { bytesPerSecond: 4 * RATE })
    const { server, proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: CHUNK, parallelUploads: PARTS })
    const [id] = u.add(file.path) as [string]
    await waitForCompletion(u, [id], 60_000)
    const url = u.getFile(id)!.url!
    expect(proxy.log.filter((e) => e.method === 'POST')).toHaveLength(1)
    expect(proxy.log.filter((e) => e.concat !== null)).toEqual([])
    expect(proxy.bytesFor(url)).toBe(SIZE)
    expect(await server.storedSha256(url)).toBe(file.sha256)
  })
})
