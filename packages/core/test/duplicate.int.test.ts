import { createFileCheckpointStore } from '@shuttle/core'
import { describe, expect, it } from 'vitest'
import { recordingHttpClient, waitForCompletion } from './helpers/engine.js'
import { MiB } from './helpers/files.js'
import { useSourceFile } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// The same file added twice (same fingerprint, same checkpoint store), both uploading at once.
// Whatever the engine decides, the two must not write into one upload at the same time, and
// both must end completed with the right bytes.
const SIZE = 8 * MiB
const CHUNK = 1 * MiB

const file = useSourceFile('duplicate-src', 'twice.bin', SIZE)

describe('the same file added twice', () => {
  const stack = useStack('shuttle', { bytesPerSecond: 4 * MiB, checkpoints: 'duplicate-ck' })

  it('uploads both copies completely, never two writers on one upload', async () => {
    const { server, proxy, checkpointDir } = stack
    const http = recordingHttpClient()
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      maxConcurrentUploads: 2,
      retryDelays: [0, 100, 200],
      checkpointStore: createFileCheckpointStore(checkpointDir),
      httpClient: http.client,
    })
    const ids = u.add([file.path, file.path])
    await waitForCompletion(u, ids, 30_000)
    expect(http.maxInFlightPerUrl()).toBe(1)
    for (const id of ids) expect(await server.storedSha256(u.getFile(id)!.url!)).toBe(file.sha256)
    const conflicts = proxy.log.filter((e) => e.status === 409 || e.status === 423)
    expect(conflicts).toEqual([])
  })
})
