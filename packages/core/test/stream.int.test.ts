import { describe, expect, it } from 'vitest'
import { recordingHttpClient, statusOf, waitForCompletion } from './helpers/engine.js'
import { MiB, sleep, waitUntil } from './helpers/files.js'
import { rawRequest, type ServerKind, withOrigin } from './helpers/servers.js'
import { useSourceFile } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// Node's default: no chunkSize, so one PATCH streams the whole file. A pause cuts that PATCH in
// the middle; the server keeps what arrived and the engine continues from there, not from 0.
const SIZE = 24 * MiB
const RATE = 8 * MiB
// Bytes the engine wrote before the pause that may still be in loopback socket buffers.
const SOCKET_SLACK = 4 * MiB

const file = useSourceFile('stream-src', 'streamed.bin', SIZE)

describe.each(['shuttle', 'tus-node'] as const)(
  'one streamed PATCH per file against %s',
  (kind: ServerKind) => {
    const stack = useStack(kind, { bytesPerSecond: RATE })

    it('pause keeps the partial PATCH on the server; resume continues from its offset', async () => {
      const { server, proxy } = stack
      const http = recordingHttpClient()
      const u = stack.uploader({ endpoint: proxy.endpoint, httpClient: http.client })
      const [id] = u.add(file.path) as [string]
      await waitUntil(() => u.getFile(id)?.url !== undefined, 10_000, 'the upload to be created')
      const url = u.getFile(id)!.url!
      await waitUntil(() => proxy.bytesFor(url) >= 0.4 * SIZE, 20_000, '40 % to reach the proxy')
      // A single PATCH: nothing is confirmed until it ends.
      expect(proxy.requestsFor(url).filter((e) => e.method === 'PATCH')).toHaveLength(1)
      u.pause(id)
      expect(statusOf(u, id)).toBe('paused')
      await waitUntil(() => proxy.requestsFor(url).every((e) => e.end !== null), 5_000, 'the PATCH to end')
      await sleep(300)

      const head = await rawRequest('HEAD', withOrigin(url, server.origin))
      const kept = Number(head.headers['upload-offset'])
      expect(kept, 'bytes the server kept from the cut PATCH').toBeGreaterThanOrEqual(0.3 * SIZE)
      expect(kept).toBeLessThan(SIZE)

      const resumedAt = Date.now()
      u.resume(id)
      await waitForCompletion(u, [id], 30_000)
      const next = proxy.requestsFor(url).find((e) => e.method === 'PATCH' && e.start >= resumedAt)
      expect(next?.offset).toBe(kept)
      expect(next?.bytes).toBe(SIZE - kept)
      expect(http.maxInFlightPerUrl()).toBe(1)
      expect(proxy.bytesFor(url)).toBeLessThanOrEqual(SIZE + SOCKET_SLACK)
      expect(await server.storedSha256(url)).toBe(file.sha256)
    })
  },
)
