import { createFileCheckpointStore } from '@shuttle/core'
import { describe, expect, it } from 'vitest'
import { recordingHttpClient, waitForCompletion } from './helpers/engine.js'
import { MiB, sleep, waitUntil } from './helpers/files.js'
import { rawRequest, type ServerKind, withOrigin } from './helpers/servers.js'
import { useSourceFile } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// destroy() is what a page unload or a CLI exit does: it must stop all traffic but keep the
// server's upload and the checkpoint, so a new uploader with the same store picks up from there.
const SIZE = 12 * MiB
const CHUNK = 1 * MiB
const RATE = 6 * MiB

const file = useSourceFile('reload-src', 'reload.bin', SIZE)

describe.each(['shuttle', 'tus-node'] as const)(
  'destroy and a new uploader against %s',
  (kind: ServerKind) => {
    const stack = useStack(kind, { bytesPerSecond: RATE, checkpoints: 'reload-ck' })

    it('destroy stops traffic, keeps the upload and checkpoint; the next uploader resumes it', async () => {
      const { server, proxy, checkpointDir } = stack
      const { client, sends } = recordingHttpClient()
      const first = stack.uploader({
        endpoint: proxy.endpoint,
        chunkSize: CHUNK,
        checkpointStore: createFileCheckpointStore(checkpointDir),
        httpClient: client,
      })
      const [id1] = first.add(file.path) as [string]
      await waitUntil(
        () => (first.getFile(id1)?.bytesConfirmed ?? 0) >= 3 * CHUNK,
        20_000,
        'three confirmed chunks',
      )
      const url = first.getFile(id1)!.url!
      await first.destroy()
      const destroyedAt = Date.now()
      await sleep(500)
      expect(sends.filter((s) => s.at >= destroyedAt)).toEqual([])
      expect(proxy.log.filter((e) => e.method === 'DELETE')).toEqual([])
      const head = await rawRequest('HEAD', withOrigin(url, server.origin))
      expect(head.status).toBe(200)
      const offset = Number(head.headers['upload-offset'])
      expect(offset).toBeGreaterThanOrEqual(3 * CHUNK)

      const resumedAt = Date.now()
      const second = stack.uploader({
        endpoint: proxy.endpoint,
        chunkSize: CHUNK,
        checkpointStore: createFileCheckpointStore(checkpointDir),
      })
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
