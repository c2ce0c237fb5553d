import { createUploader } from '@shuttle/core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type Uploader, waitForCompletion } from './helpers/engine.js'
import { MiB, makeTempDir, removeDir, type TestFile, waitUntil, writeRandomFile } from './helpers/files.js'
import { type RecordingProxy, startRecordingProxy } from './helpers/recording-proxy.js'
import { startServer, type TestServer } from './helpers/servers.js'

// The proxy flips one byte of one PATCH body. With checksum on, our server refuses that chunk
// (460) and the engine sends it again; with checksum off the damage lands on disk (the control).
const SIZE = 6 * MiB
const CHUNK = 1 * MiB
const RATE = 8 * MiB

let srcDir: string | undefined
let file: TestFile

beforeAll(async () => {
  srcDir = await makeTempDir('checksum-src')
  file = await writeRandomFile(srcDir, 'checked.bin', SIZE)
})

afterAll(async () => {
  await removeDir(srcDir)
})

describe('checksum extension against shuttle', () => {
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

  async function uploadWithCorruption(checksum: 'sha256' | false): Promise<{ url: string; retries: number }> {
    const u = createUploader({ endpoint: proxy.endpoint, chunkSize: CHUNK, checksum, retryDelays: [0, 100] })
    up = u
    let retries = 0
    u.on('retry', () => retries++)
    const [id] = u.add(file.path) as [string]
    await waitUntil(() => (u.getFile(id)?.bytesConfirmed ?? 0) >= CHUNK, 20_000, 'a confirmed chunk')
    proxy.corruptNextPatch()
    await waitForCompletion(u, [id], 30_000)
    expect(proxy.log.filter((e) => e.corrupted)).toHaveLength(1)
    return { url: u.getFile(id)!.url!, retries }
  }

  it('a chunk damaged in transit is refused and sent again; the file arrives intact', async () => {
    const { url, retries } = await uploadWithCorruption('sha256')
    const patches = proxy.requestsFor(url).filter((e) => e.method === 'PATCH')
    for (const p of patches) expect(p.checksum).toMatch(/^sha256 [A-Za-z0-9+/]+=*$/)
    const bad = patches.find((e) => e.corrupted)!
    expect(bad.status).toBe(460)
    expect(retries).toBe(1)
    // The refused chunk is sent again from the same offset.
    expect(patches.filter((e) => e.offset === bad.offset && e.status === 204)).toHaveLength(1)
    expect(await server.storedSha256(url)).toBe(file.sha256)
  })

  it('control: without checksum the same damage is stored silently', async () => {
    const { url } = await uploadWithCorruption(false)
    expect(proxy.requestsFor(url).every((e) => e.checksum === null)).toBe(true)
    expect(await server.storedSha256(url)).not.toBe(file.sha256)
  })
})
