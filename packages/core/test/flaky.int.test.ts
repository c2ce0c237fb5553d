import { describe, expect, it } from 'vitest'
import { waitForCompletion } from './helpers/engine.js'
import { MiB } from './helpers/files.js'
import { startFlakyProxy } from './helpers/flaky-proxy.js'
import { type ServerKind, startServer } from './helpers/servers.js'
import { useSourceFiles } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// Ten files of 2-8 MiB through a TCP proxy that cuts connections after a random 256 KiB-8 MiB
// of client bytes (seeded), at most MAX_CUTS times. Every file must arrive byte-identical.
const SIZES = [2, 3, 4, 5, 6, 7, 8, 2, 3, 4].map((n) => n * MiB)
const MAX_CUTS = 10
const SEED = Number(process.env.SHUTTLE_FLAKY_SEED ?? 0x5eed)
const CHUNK = 4 * MiB

const files = useSourceFiles('flaky-src', SIZES)

describe.each(['shuttle', 'tus-node'] as const)('flaky network against %s', (kind: ServerKind) => {
  const stack = useStack({
    server: () => startServer(kind),
    proxy: (server) => startFlakyProxy(server.endpoint, { seed: SEED, maxCuts: MAX_CUTS }),
  })

  it('completes 10 files byte-identical through random connection cuts, retrying from the server offset', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      maxConcurrentUploads: 3,
      retryDelays: [0, 100, 200, 400, 800],
    })
    const retries: Array<{ id: string; attempt: number; delay: number }> = []
    const restarts: string[] = []
    u.on('retry', ({ id, attempt, delay }) => retries.push({ id, attempt, delay }))
    u.on('upload-restarted', ({ id }) => restarts.push(id))
    const ids = u.add(files.map((f) => f.path))

    await waitForCompletion(u, ids, 100_000)

    const stats = JSON.stringify({ cuts: proxy.cuts, retries: retries.length, bytesIn: proxy.bytesIn })
    expect(proxy.cuts, stats).toBeGreaterThanOrEqual(5)
    expect(retries.length).toBeGreaterThanOrEqual(1)
    // Each cut breaks exactly one request, which the engine must retry.
    expect(retries.length).toBeGreaterThanOrEqual(proxy.cuts)
    // A cut never loses the upload on the server: no file had to start over.
    expect(restarts).toEqual([])
    // Confirmed bytes are never sent again: each cut costs at most its chunk (plus header bytes).
    const total = SIZES.reduce((a, b) => a + b, 0)
    expect(proxy.bytesIn, stats).toBeGreaterThanOrEqual(total)
    expect(proxy.bytesIn, stats).toBeLessThanOrEqual(total + proxy.cuts * CHUNK + 256 * 1024)
    for (const [i, id] of ids.entries()) {
      const f = u.getFile(id)
      expect(f?.bytesConfirmed).toBe(SIZES[i])
      expect(await server.storedSha256(f!.url!), `sha256 of ${files[i]!.name}`).toBe(files[i]!.sha256)
    }
  })

  it('loses responses after the server acted, and resyncs by HEAD instead of resending', async () => {
    const { server } = stack
    const proxy = await stack.replaceProxy(() =>
      startFlakyProxy(server.endpoint, {
        seed: SEED + 1,
        maxCuts: MAX_CUTS,
        minBytes: 1024 * MiB, // never cut a request body: only responses go missing
        maxBytes: 1025 * MiB,
        dropResponseRate: 0.2,
      }),
    )
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: MiB, // many responses to lose
      maxConcurrentUploads: 3,
      retryDelays: [0, 100, 200, 400, 800],
    })
    const ids = u.add(files.map((f) => f.path))
    await waitForCompletion(u, ids, 100_000)
    const stats = JSON.stringify({ dropped: proxy.droppedResponses, bytesIn: proxy.bytesIn })
    expect(proxy.droppedResponses, stats).toBeGreaterThanOrEqual(3)
    // A chunk whose 204 was lost is on the server already: it must not be sent again. The one
    // exception is a lost 201 of a creation POST that carried the first chunk (creation-with-upload):
    // without the URL the client cannot resume that upload, so it creates another and sends those
    // bytes again. Exactly those bytes sit in the orphaned uploads no file owns.
    const total = SIZES.reduce((a, b) => a + b, 0)
    const owned = ids.map((id) => new URL(u.getFile(id)!.url!).pathname.split('/').pop())
    const orphans = (await server.storedUploads()).filter((s) => !owned.includes(s.id))
    for (const o of orphans) expect(o.size, `orphan ${o.id}`).toBeLessThanOrEqual(MiB)
    const resent = orphans.reduce((n, o) => n + o.size, 0)
    expect(proxy.bytesIn, `${stats} resent in lost creations: ${resent}`).toBeLessThanOrEqual(
      total + resent + 256 * 1024,
    )
    for (const [i, id] of ids.entries()) {
      const f = u.getFile(id)
      expect(await server.storedSha256(f!.url!), `sha256 of ${files[i]!.name}`).toBe(files[i]!.sha256)
    }
  })

  it('parallel parts (concatenation where supported) survive random cuts byte-identical', async () => {
    const { server } = stack
    const proxy = await stack.replaceProxy(() =>
      startFlakyProxy(server.endpoint, { seed: SEED + 2, maxCuts: MAX_CUTS, maxBytes: 2 * MiB }),
    )
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      parallelUploads: 3,
      maxConcurrentUploads: 2,
      retryDelays: [0, 100, 200, 400, 800],
    })
    const retries: string[] = []
    u.on('retry', ({ error }) => retries.push(error.code))
    const big = files.filter((f) => f.size >= 6 * MiB)
    const ids = u.add(big.map((f) => f.path))
    await waitForCompletion(u, ids, 100_000)
    const stats = JSON.stringify({ cuts: proxy.cuts, retries })
    expect(proxy.cuts, stats).toBeGreaterThanOrEqual(3)
    expect(retries.length, stats).toBeGreaterThanOrEqual(1)
    for (const [i, id] of ids.entries()) {
      const f = u.getFile(id)
      expect(await server.storedSha256(f!.url!), `sha256 of ${big[i]!.name}`).toBe(big[i]!.sha256)
    }
  })
})
