import { createUploader } from '@shuttle/core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { recordingHttpClient, statusOf, type Uploader, waitForCompletion } from './helpers/engine.js'
import {
  MiB,
  makeTempDir,
  removeDir,
  sleep,
  type TestFile,
  waitUntil,
  writeRandomFile,
} from './helpers/files.js'
import { type RecordingProxy, startRecordingProxy } from './helpers/recording-proxy.js'
import { startServer, type TestServer } from './helpers/servers.js'

// parallelUploads: N partial uploads of one file (tus concatenation) against our server, which
// supports it, and a plain single upload against @tus/server, which does not announce it.
const SIZE = 24 * MiB
const CHUNK = 2 * MiB
const RATE = 8 * MiB
const PARTS = 3

let srcDir: string | undefined
let file: TestFile

beforeAll(async () => {
  srcDir = await makeTempDir('parallel-src')
  file = await writeRandomFile(srcDir, 'parts.bin', SIZE)
})

afterAll(async () => {
  await removeDir(srcDir)
})

describe('parallel parts of one file', () => {
  let server: TestServer | undefined
  let proxy: RecordingProxy | undefined
  let up: Uploader | undefined

  afterEach(async () => {
    await up?.destroy()
    up = undefined
    await proxy?.close()
    await server?.close()
  })

  it('uploads 3 parts at once, pauses and resumes them, and the final upload is byte-identical', async () => {
    server = await startServer('shuttle')
    proxy = await startRecordingProxy(server.endpoint, { bytesPerSecond: RATE })
    const p = proxy
    const { client, sends } = recordingHttpClient()
    const u = createUploader({
      endpoint: p.endpoint,
      chunkSize: CHUNK,
      parallelUploads: PARTS,
      httpClient: client,
    })
    up = u
    const restarts: string[] = []
    u.on('upload-restarted', ({ id }) => restarts.push(id))
    const [id] = u.add(file.path) as [string]

    await waitUntil(
      () => (u.getFile(id)?.bytesConfirmed ?? 0) >= PARTS * CHUNK,
      20_000,
      'three chunks confirmed',
    )
    // All parts were in flight at the same time.
    const partPosts = p.log.filter((e) => e.method === 'POST')
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
    const posts = p.log.filter((e) => e.method === 'POST')
    expect(posts).toHaveLength(PARTS + 1)
    expect(posts[PARTS]!.uploadPath).toBe(new URL(url).pathname)
    expect(posts[PARTS]!.concat).toMatch(/^final;/)
    // Each part lost at most its chunk in flight to the pause.
    const bodyBytes = p.log.filter((e) => e.method === 'PATCH').reduce((n, e) => n + e.bytes, 0)
    expect(bodyBytes).toBeGreaterThanOrEqual(SIZE)
    expect(bodyBytes).toBeLessThanOrEqual(SIZE + PARTS * CHUNK)
    expect(await server.storedSha256(url)).toBe(file.sha256)
  })

  it('falls back to one upload when the server lacks concatenation (@tus/server)', async () => {
    server = await startServer('tus-node')
    proxy = await startRecordingProxy(server.endpoint, { bytesPerSecond: 4 * RATE })
    const u = createUploader({ endpoint: proxy.endpoint, chunkSize: CHUNK, parallelUploads: PARTS })
    up = u
    const [id] = u.add(file.path) as [string]
    await waitForCompletion(u, [id], 60_000)
    const url = u.getFile(id)!.url!
    expect(proxy.log.filter((e) => e.method === 'POST')).toHaveLength(1)
    expect(proxy.log.filter((e) => e.concat !== null)).toEqual([])
    expect(proxy.bytesFor(url)).toBe(SIZE)
    expect(await server.storedSha256(url)).toBe(file.sha256)
  })
})
