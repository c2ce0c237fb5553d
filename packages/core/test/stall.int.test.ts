import { createUploader } from '@shuttle/core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Uploader, waitForCompletion } from './helpers/engine.js'
import { MiB, makeTempDir, removeDir, type TestFile, waitUntil, writeRandomFile } from './helpers/files.js'
import { type RecordingProxy, startRecordingProxy } from './helpers/recording-proxy.js'
import { type ServerKind, startServer, type TestServer } from './helpers/servers.js'

// The network goes silent mid-PATCH (the proxy stops reading, the socket stays open). The engine
// must notice within stallTimeout, abort, and continue from the server's offset.
const SIZE = 8 * MiB
const CHUNK = 2 * MiB
const RATE = 4 * MiB
const STALL_TIMEOUT = 1_000

let srcDir: string | undefined
let file: TestFile

beforeAll(async () => {
  srcDir = await makeTempDir('stall-src')
  file = await writeRandomFile(srcDir, 'stalled.bin', SIZE)
})

afterAll(async () => {
  await removeDir(srcDir)
})

describe.each(['shuttle', 'tus-node'] as const)('stalled connection against %s', (kind: ServerKind) => {
  let server: TestServer
  let proxy: RecordingProxy
  let up: Uploader | undefined

  beforeEach(async () => {
    server = await startServer(kind)
    proxy = await startRecordingProxy(server.endpoint, { bytesPerSecond: RATE })
  })

  afterEach(async () => {
    await up?.destroy()
    up = undefined
    await proxy.close()
    await server.close()
  })

  it('aborts a request that makes no progress for stallTimeout and resumes', async () => {
    const u = createUploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      stallTimeout: STALL_TIMEOUT,
      retryDelays: [0, 100, 200],
    })
    up = u
    const retries: Array<{ at: number; code: unknown }> = []
    u.on('retry', ({ error }) => {
      retries.push({ at: Date.now(), code: (error as { code?: unknown }).code })
      proxy.setRate(RATE) // the network recovers as soon as the engine gives up on the request
    })
    const [id] = u.add(file.path) as [string]
    await waitUntil(() => (u.getFile(id)?.bytesConfirmed ?? 0) >= CHUNK, 20_000, 'a confirmed chunk')
    proxy.setRate(1) // one byte per second: the request in flight hangs
    const stalledAt = Date.now()

    await waitUntil(() => retries.length > 0, 6_000, 'the engine to detect the stall')
    expect(retries[0]!.code).toBe('ERR_STALLED')
    const detectedAfter = retries[0]!.at - stalledAt
    expect(detectedAfter).toBeGreaterThanOrEqual(STALL_TIMEOUT - 50)
    expect(detectedAfter).toBeLessThan(STALL_TIMEOUT + 2_000)

    await waitForCompletion(u, [id], 30_000)
    const url = u.getFile(id)!.url!
    // The stalled PATCH is still open on the server side (a half-open connection), so a server
    // that locks uploads may hold the lock a while: more stalls before it lets go are allowed.
    const codes = JSON.stringify(retries.map((r) => r.code))
    expect(retries.length, codes).toBeLessThanOrEqual(3)
    expect(proxy.log.filter((e) => e.method === 'POST')).toHaveLength(1)
    expect(proxy.bytesFor(url), codes).toBeLessThanOrEqual(SIZE + retries.length * CHUNK)
    expect(await server.storedSha256(url)).toBe(file.sha256)
  })
})
