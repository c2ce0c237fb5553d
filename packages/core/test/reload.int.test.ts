import { createFileCheckpointStore, createUploader } from '@shuttle/core'
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
import { rawRequest, type ServerKind, startServer, type TestServer, withOrigin } from './helpers/servers.js'

// destroy() is what a page unload or a CLI exit does: it must stop all traffic but keep the
// server's upload and the checkpoint, so a new uploader with the same store picks up from there.
const SIZE = 12 * MiB
const CHUNK = 1 * MiB
const RATE = 6 * MiB

let srcDir: string | undefined
let file: TestFile

beforeAll(async () => {
  srcDir = await makeTempDir('reload-src')
  file = await writeRandomFile(srcDir, 'reload.bin', SIZE)
})

afterAll(async () => {
  await removeDir(srcDir)
})

describe.each(['shuttle', 'tus-node'] as const)(
  'destroy and a new uploader against %s',
  (kind: ServerKind) => {
    let server: TestServer
    let proxy: RecordingProxy
    let ckDir: string | undefined
    let up: Uploader | undefined

    beforeEach(async () => {
      server = await startServer(kind)
      proxy = await startRecordingProxy(server.endpoint, { bytesPerSecond: RATE })
      ckDir = await makeTempDir('reload-ck')
    })

    afterEach(async () => {
      await up?.destroy()
      up = undefined
      await proxy.close()
      await server.close()
      await removeDir(ckDir)
    })

    it('destroy stops traffic, keeps the upload and checkpoint; the next uploader resumes it', async () => {
      const { client, sends } = recordingHttpClient()
      const first = createUploader({
        endpoint: proxy.endpoint,
        chunkSize: CHUNK,
        checkpointStore: createFileCheckpointStore(ckDir!),
        httpClient: client,
      })
      up = first
      const [id1] = first.add(file.path) as [string]
      await waitUntil(
        () => (first.getFile(id1)?.bytesConfirmed ?? 0) >= 3 * CHUNK,
        20_000,
        'three confirmed chunks',
      )
      const url = first.getFile(id1)!.url!
      await first.destroy()
      up = undefined
      const destroyedAt = Date.now()
      await sleep(500)
      expect(sends.filter((s) => s.at >= destroyedAt)).toEqual([])
      expect(proxy.log.filter((e) => e.method === 'DELETE')).toEqual([])
      const head = await rawRequest('HEAD', withOrigin(url, server.origin))
      expect(head.status).toBe(200)
      const offset = Number(head.headers['upload-offset'])
      expect(offset).toBeGreaterThanOrEqual(3 * CHUNK)

      const resumedAt = Date.now()
      const second = createUploader({
        endpoint: proxy.endpoint,
        chunkSize: CHUNK,
        checkpointStore: createFileCheckpointStore(ckDir!),
      })
      up = second
      const created: string[] = []
      second.on('upload-created', ({ url: u }) => created.push(u))
      const [id2] = second.add(file.path) as [string]
      await waitForCompletion(second, [id2], 30_000)
      expect(created).toEqual([])
      expect(second.getFile(id2)?.url).toBe(url)
      expect(proxy.log.filter((e) => e.method === 'POST')).toHaveLength(1)
      const firstPatch = proxy.requestsFor(url).find((e) => e.method === 'PATCH' && e.start >= resumedAt)
      expect(firstPatch?.offset).toBe(offset)
      expect(proxy.bytesFor(url)).toBeLessThanOrEqual(SIZE + CHUNK)
      expect(await server.storedSha256(url)).toBe(file.sha256)
    })
  },
)
