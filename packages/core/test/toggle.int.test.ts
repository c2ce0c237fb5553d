import { describe, expect, it } from 'vitest'
import { recordingHttpClient, waitForCompletion } from './helpers/engine.js'
import { MiB, sleep, waitUntil } from './helpers/files.js'
import type { ServerKind } from './helpers/servers.js'
import { useSourceFile } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// pause() and resume() in quick succession, 40 times, while a file uploads. Each resume finds
// the server possibly still holding the lock of the PATCH the pause just aborted.
const SIZE = 6 * MiB
const CHUNK = 1 * MiB

const file = useSourceFile('toggle-src', 'toggle.bin', SIZE)

describe.each(['shuttle', 'tus-node'] as const)('rapid pause/resume against %s', (kind: ServerKind) => {
  const stack = useStack(kind, { bytesPerSecond: 6 * MiB })

  it('never runs one file twice at once, and the file arrives intact', async () => {
    const { server, proxy } = stack
    const http = recordingHttpClient()
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: CHUNK, httpClient: http.client })
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
