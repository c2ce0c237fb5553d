import { describe, expect, it } from 'vitest'
import { waitForCompletion } from './helpers/engine.js'
import { MiB, waitUntil } from './helpers/files.js'
import type { ServerKind } from './helpers/servers.js'
import { useSourceFiles } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// The server process dies mid-upload (connections dropped, its locks and memory gone) and comes
// back 700 ms later over the same directory. Uploads continue from what reached the disk.
const SIZE = 16 * MiB
const CHUNK = 2 * MiB
const RATE = 8 * MiB

const files = useSourceFiles('server-restart-src', [SIZE, SIZE, SIZE])

describe.each(['shuttle', 'tus-node'] as const)('server restart mid-upload with %s', (kind: ServerKind) => {
  const stack = useStack(kind, { bytesPerSecond: RATE })

  it('rides out the outage with retries and completes every file without restarting it', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      maxConcurrentUploads: 3,
      retryDelays: [0, 200, 400, 800, 1600],
    })
    const retries: string[] = []
    const restarts: string[] = []
    u.on('retry', ({ error }) => retries.push(error.code))
    u.on('upload-restarted', ({ id }) => restarts.push(id))
    const ids = u.add(files.map((f) => f.path))
    await waitUntil(
      () => ids.every((id) => (u.getFile(id)?.bytesConfirmed ?? 0) >= CHUNK),
      20_000,
      'every file to confirm a chunk',
    )
    await server.restart(700)
    await waitForCompletion(u, ids, 60_000)

    expect(retries.length).toBeGreaterThanOrEqual(1)
    expect(restarts).toEqual([])
    expect(proxy.byMethod().POST?.count).toBe(3)
    for (const [i, id] of ids.entries()) {
      const url = u.getFile(id)!.url!
      expect(proxy.bytesFor(url), `bytes for file ${i + 1}`).toBeLessThanOrEqual(SIZE + CHUNK)
      expect(await server.storedSha256(url), `sha256 of file ${i + 1}`).toBe(files[i]!.sha256)
    }
  })
})
