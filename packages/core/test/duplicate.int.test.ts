import { createFileCheckpointStore, createUploader } from '@shuttle/core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { recordingHttpClient, type Uploader, waitForCompletion } from './helpers/engine.js'
import { MiB, makeTempDir, removeDir, type TestFile, writeRandomFile } from './helpers/files.js'
import { type RecordingProxy, startRecordingProxy } from './helpers/recording-proxy.js'
import { startServer, type TestServer } from './helpers/servers.js'

// The same file added twice (same fingerprint, same checkpoint store), both uploading at once.
// Whatever the engine decides, the two must not write into one upload at the same time, and
// both must end completed with the right bytes.
const SIZE = 8 * MiB
const CHUNK = 1 * MiB

let srcDir: string | undefined
let file: TestFile

beforeAll(async () => {
  srcDir = await makeTempDir('duplicate-src')
  file = await writeRandomFile(srcDir, 'twice.bin', SIZE)
})

afterAll(async () => {
  await removeDir(srcDir)
})

describe('the same file added twice', () => {
  let server: TestServer
  let proxy: RecordingProxy
  let ckDir: string | undefined
  let up: Uploader | undefined

  beforeEach(async () => {
    server = await startServer('shuttle')
    proxy = await startRecordingProxy(server.endpoint, { bytesPerSecond: 4 * MiB })
    ckDir = await makeTempDir('duplicate-ck')
  })

  afterEach(async () => {
    await up?.destroy()
    up = undefined
    await proxy.close()
    await server.close()
    await removeDir(ckDir)
  })

  it('uploads both copies completely, never two writers on one upload', async () => {
    const http = recordingHttpClient()
    const u = createUploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      maxConcurrentUploads: 2,
      retryDelays: [0, 100, 200],
      checkpointStore: createFileCheckpointStore(ckDir!),
      httpClient: http.client,
    })
    up = u
    const ids = u.add([file.path, file.path])
    await waitForCompletion(u, ids, 30_000)
    expect(http.maxInFlightPerUrl()).toBe(1)
    for (const id of ids) expect(await server.storedSha256(u.getFile(id)!.url!)).toBe(file.sha256)
    const conflicts = proxy.log.filter((e) => e.status === 409 || e.status === 423)
    expect(conflicts).toEqual([])
  })
})
