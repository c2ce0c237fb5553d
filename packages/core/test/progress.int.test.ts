import { createUploader } from '@shuttle/core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Uploader, waitForCompletion } from './helpers/engine.js'
import { MiB, makeTempDir, removeDir, type TestFile, waitUntil, writeRandomFiles } from './helpers/files.js'
import { type RecordingProxy, startRecordingProxy } from './helpers/recording-proxy.js'
import { startServer, type TestServer } from './helpers/servers.js'

// Speed, ETA and totals over a real socket whose rate the proxy fixes at 8 MiB/s per request.
const SIZE = 24 * MiB
const CHUNK = 2 * MiB
const RATE = 8 * MiB

let srcDir: string | undefined
let files: TestFile[] = []

beforeAll(async () => {
  srcDir = await makeTempDir('progress-src')
  files = await writeRandomFiles(srcDir, [SIZE, SIZE / 2])
})

afterAll(async () => {
  await removeDir(srcDir)
})

describe('progress numbers against a known rate', () => {
  let server: TestServer
  let proxy: RecordingProxy
  let up: Uploader | undefined

  beforeEach(async () => {
    server = await startServer('shuttle')
    proxy = await startRecordingProxy(server.endpoint, { bytesPerSecond: RATE })
  })

  afterEach(async () => {
    await up?.destroy()
    up = undefined
    await proxy.close()
    await server.close()
  })

  it('speed tracks the wire rate, eta follows from it, and totals add up', async () => {
    const u = createUploader({ endpoint: proxy.endpoint, chunkSize: CHUNK, maxConcurrentUploads: 1 })
    up = u
    const totals: Array<{ bytesConfirmed: number; bytesSent: number; bytesTotal: number }> = []
    u.on('total-progress', (p) => totals.push(p))
    const [id] = u.add(files[0]!.path) as [string]
    const [second] = u.add(files[1]!.path) as [string]
    await waitUntil(() => (u.getFile(id)?.bytesConfirmed ?? 0) >= SIZE / 2, 20_000, 'half of the file')

    const f = u.getFile(id)!
    expect(f.speed, `speed ${(f.speed / MiB).toFixed(2)} MiB/s`).toBeGreaterThan(0.5 * RATE)
    expect(f.speed).toBeLessThan(2 * RATE)
    expect(f.eta).not.toBeNull()
    expect(f.eta!).toBeCloseTo((SIZE - f.bytesSent) / f.speed, 1)
    expect(f.percent).toBeGreaterThan(40)
    expect(f.percent).toBeLessThan(100)

    await waitForCompletion(u, [id, second], 30_000)
    const last = totals.at(-1)!
    expect(last.bytesTotal).toBe(SIZE + SIZE / 2)
    expect(last.bytesConfirmed).toBe(SIZE + SIZE / 2)
    for (let i = 1; i < totals.length; i++) {
      expect(totals[i]!.bytesConfirmed).toBeGreaterThanOrEqual(totals[i - 1]!.bytesConfirmed)
    }
    expect(u.getFile(id)?.eta).toBe(0)
    expect(u.getFile(id)?.percent).toBe(100)
  })
})
