import { createUploader } from '@shuttle/core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { recordingHttpClient, type Uploader, waitForCompletion } from './helpers/engine.js'
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
import { type ServerKind, startServer, type TestServer } from './helpers/servers.js'

// pause() and resume() in quick succession, 40 times, while a file uploads. Each resume finds
// the server possibly still holding the lock of the PATCH the pause just aborted.
const SIZE = 6 * MiB
const CHUNK = 1 * MiB

let srcDir: string | undefined
let file: TestFile

beforeAll(async () => {
  srcDir = await makeTempDir('toggle-src')
  file = await writeRandomFile(srcDir, 'toggle.bin', SIZE)
})

afterAll(async () => {
  await removeDir(srcDir)
})

describe.each(['shuttle', 'tus-node'] as const)('rapid pause/resume against %s', (kind: ServerKind) => {
  let server: TestServer
  let proxy: RecordingProxy
  let up: Uploader | undefined

  beforeEach(async () => {
    server = await startServer(kind)
    proxy = await startRecordingProxy(server.endpoint, { bytesPerSecond: 6 * MiB })
  })

  afterEach(async () => {
    await up?.destroy()
    up = undefined
    await proxy.close()
    await server.close()
  })

  it('never runs one file twice at once, and the file arrives intact', async () => {
    const http = recordingHttpClient()
    const u = createUploader({ endpoint: proxy.endpoint, chunkSize: CHUNK, httpClient: http.client })
    up = u
    const failed: unknown[] = []
    u.on('failed', ({ error }) => failed.push(error))
    const [id] = u.add(file.path) as [string]
    await waitUntil(() => u.getFile(id)?.url !== undefined, 10_000, 'the upload to be created')
    for (let i = 0; i < 40; i++) {
      u.pause(id)
      u.resume(id)
      await sleep(i % 3 === 0 ? 0 : 15)
    }
    await waitForCompletion(u, [id], 30_000)
    expect(failed).toEqual([])
    expect(http.maxInFlightPerUrl()).toBe(1)
    expect(proxy.log.filter((e) => e.method === 'POST')).toHaveLength(1)
    expect(await server.storedSha256(u.getFile(id)!.url!)).toBe(file.sha256)
  })
})
