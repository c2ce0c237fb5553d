import { describe, expect, it } from 'vitest'
import { waitForCompletion } from './helpers/engine.js'
import { MiB, waitUntil } from './helpers/files.js'
import type { ServerKind } from './helpers/servers.js'
import { useSourceFile } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// The network goes silent mid-PATCH (the proxy stops reading, the socket stays open). The engine
// must notice within stallTimeout, abort, and continue from the server's offset.
const SIZE = 8 * MiB
const CHUNK = 2 * MiB
const RATE = 4 * MiB
const STALL_TIMEOUT = 1_000

const file = useSourceFile('stall-src', 'stalled.bin', SIZE)

describe.each(['shuttle', 'tus-node'] as const)('stalled connection against %s', (kind: ServerKind) => {
  const stack = useStack(kind, { bytesPerSecond: RATE })

  it('aborts a request that makes no progress for stallTimeout and resumes', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      stallTimeout: STALL_TIMEOUT,
      retryDelays: [0, 100, 200],
    })
    const retries: Array<{ at: number; code: unknown }> = []
    u.on('retry', ({ error }) => {
      retries.push({ at: Date.now(), code: (error as { code?: unknown }).code })
      proxy.setRate(RATE) // the network recovers as soon as the engine gives up on the request
    })
    const [id] = u.add(file.path) as [string]
    await waitUntil(() => (u.getFile(id)?.bytesConfirmed ?? 0) >= CHUNK, 20_000, 'a confirmed chunk')
    proxy.setRate(1) // one byte per second: the request in flight hangs
    const stalledAt = Date.now()

    await waitUntil(() => retries.length > 0, 6_000, 'the engine to detect the stall')
    expect(retries[0]!.code).toBe('ERR_STALLED')
    const detectedAfter = retries[0]!.at - stalledAt
    expect(detectedAfter).toBeGreaterThanOrEqual(STALL_TIMEOUT - 50)
    expect(detectedAfter).toBeLessThan(STALL_TIMEOUT + 2_000)

    await waitForCompletion(u, [id], 30_000)
    const url = u.getFile(id)!.url!
    // The stalled PATCH is still open on the server side (a half-open connection), so a server
    // that locks uploads may hold the lock a while: more stalls before it lets go are allowed.
    const codes = JSON.stringify(retries.map((r) => r.code))
    expect(retries.length, codes).toBeLessThanOrEqual(3)
    expect(proxy.log.filter((e) => e.method === 'POST')).toHaveLength(1)
    expect(proxy.bytesFor(url), codes).toBeLessThanOrEqual(SIZE + retries.length * CHUNK)
    expect(await server.storedSha256(url)).toBe(file.sha256)
  })
})
