import { describe, expect, it } from 'vitest'
import { recordingHttpClient, recordTransitions, statusOf, waitForCompletion } from './helpers/engine.js'
import { MiB, sleep, waitUntil } from './helpers/files.js'
import { rawRequest, type ServerKind, withOrigin } from './helpers/servers.js'
import { useSourceFiles } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// Five 20 MiB files, two at a time, through a proxy that limits each request to 8 MiB/s, so a
// file takes ~2.5 s and a pause lands in the middle of it. Same block for both servers.
const SIZE = 20 * MiB
const CHUNK = 2 * MiB
const RATE = 8 * MiB

const files = useSourceFiles('engine-src', [SIZE, SIZE, SIZE, SIZE, SIZE])

describe.each(['shuttle', 'tus-node'] as const)('engine against %s', (kind: ServerKind) => {
  const stack = useStack(kind, { bytesPerSecond: RATE })

  it('pausing one file frees its slot, sends nothing while paused, and resumes from the server offset', async () => {
    const { server, proxy } = stack
    const { client, sends } = recordingHttpClient()
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      maxConcurrentUploads: 2,
      retryDelays: [0, 200, 500],
      httpClient: client,
    })
    const transitions = recordTransitions(u)
    const ids = u.add(files.map((f) => f.path))
    expect(ids).toHaveLength(5)
    const [id1, id2, id3] = ids as [string, string, string]

    // Files 1 and 2 take the two slots; file 3 waits.
    await waitUntil(
      () => (u.getFile(id1)?.bytesConfirmed ?? 0) >= 2 * CHUNK,
      30_000,
      'file 1 to confirm 2 chunks',
    )
    expect(statusOf(u, id2)).toBe('uploading')
    expect(['queued', 'idle']).toContain(statusOf(u, id3))
    const url1 = u.getFile(id1)?.url
    expect(url1).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/files\/.+/)
    if (!url1) throw new Error('file 1 has no upload URL')
    const confirmedBeforePause = u.getFile(id1)?.bytesConfirmed ?? 0
    expect(confirmedBeforePause).toBeLessThan(SIZE)

    const pausedAt = Date.now()
    u.pause(id1)
    const pauseReturned = Date.now()
    expect(statusOf(u, id1)).toBe('paused')

    // File 3 takes the freed slot at once.
    await waitUntil(
      () => transitions.some((t) => t.id === id3 && (t.to === 'preparing' || t.to === 'uploading')),
      2_000,
      'file 3 to start after the pause',
    )
    const started3 = transitions.find((t) => t.id === id3 && (t.to === 'preparing' || t.to === 'uploading'))
    expect(started3!.at - pausedAt).toBeLessThanOrEqual(500)

    // The engine issues no request for file 1 once pause() has returned...
    const quietFrom = Date.now()
    await sleep(1_500)
    expect(
      sends.filter((s) => s.url === url1 && s.at >= pauseReturned && !s.abortedAtCall),
      'requests issued for file 1 while paused',
    ).toEqual([])
    // ...and the proxy sees no byte for it. Bytes written before the pause may still drain from
    // loopback socket buffers into the throttled proxy until it sees the abort, so the measured
    // window starts once no request for file 1 is open at the proxy.
    await waitUntil(
      () => proxy.requestsFor(url1).every((e) => e.end !== null),
      3_000,
      'the aborted PATCH to end',
    )
    const bytesAtQuiet = proxy.bytesFor(url1)
    const windowStart = Date.now()
    await sleep(1_200)
    const trace = () =>
      JSON.stringify(
        proxy
          .requestsFor(url1)
          .map((e) => ({ ...e, start: e.start - pausedAt, end: (e.end ?? 0) - pausedAt })),
      )
    expect(proxy.bytesFor(url1), trace()).toBe(bytesAtQuiet)
    expect(statusOf(u, id1)).toBe('paused')
    expect(proxy.requestsFor(url1).filter((e) => e.start >= windowStart)).toEqual([])
    expect(proxy.log.filter((e) => e.start >= quietFrom && e.filename === files[0]!.name)).toEqual([])
    // A request already on its way when pause() ran was cut short: at most one chunk.
    for (const e of proxy.requestsFor(url1).filter((r) => r.start >= pausedAt)) {
      expect(e.aborted, trace()).toBe(true)
      expect(e.bytes).toBeLessThanOrEqual(CHUNK)
    }
    // The engine's view of file 1 did not move either.
    expect(u.getFile(id1)?.bytesConfirmed).toBeGreaterThanOrEqual(confirmedBeforePause)
    expect(u.getFile(id1)?.bytesConfirmed).toBeLessThan(SIZE)

    // The server's offset while paused: the engine must continue from exactly there.
    const head = await rawRequest('HEAD', withOrigin(url1, server.origin))
    expect(head.status).toBe(200)
    const serverOffset = Number(head.headers['upload-offset'])
    expect(serverOffset).toBeGreaterThanOrEqual(confirmedBeforePause)
    expect(serverOffset).toBeLessThan(SIZE)

    const resumedAt = Date.now()
    u.resume(id1)
    await waitForCompletion(u, ids, 90_000)

    // File 1 kept its upload: one creation, no restart, continued from the server's offset.
    expect(u.getFile(id1)?.url).toBe(url1)
    const posts1 = proxy.log.filter((e) => e.method === 'POST' && e.uploadPath === new URL(url1).pathname)
    expect(posts1).toHaveLength(1)
    const firstPatchAfterResume = proxy
      .requestsFor(url1)
      .find((e) => e.method === 'PATCH' && e.start >= resumedAt)
    expect(firstPatchAfterResume?.offset).toBe(serverOffset)
    expect(proxy.bytesFor(url1)).toBeGreaterThanOrEqual(SIZE)
    expect(proxy.bytesFor(url1)).toBeLessThanOrEqual(SIZE + CHUNK)

    // Every stored file is byte-identical, and each was created once.
    expect(proxy.byMethod().POST?.count).toBe(5)
    for (const [i, id] of ids.entries()) {
      const url = u.getFile(id)?.url
      if (!url) throw new Error(`file ${i + 1} has no URL`)
      expect(await server.storedSha256(url), `sha256 of file ${i + 1}`).toBe(files[i]!.sha256)
    }
  })

  it('files 2-5 complete while file 1 stays paused, then file 1 completes after resume', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: CHUNK, maxConcurrentUploads: 2 })
    const ids = u.add(files.map((f) => f.path))
    const [id1, ...rest] = ids as [string, ...string[]]
    await waitUntil(() => (u.getFile(id1)?.bytesConfirmed ?? 0) >= CHUNK, 30_000, 'file 1 to confirm a chunk')
    u.pause(id1)
    const url1 = u.getFile(id1)?.url
    if (!url1) throw new Error('file 1 has no upload URL')
    const bytesAtPause = proxy.bytesFor(url1)

    await waitForCompletion(u, rest, 90_000)
    expect(statusOf(u, id1)).toBe('paused')
    // At most the in-flight chunk's remainder could have arrived after pause() returned.
    expect(proxy.bytesFor(url1) - bytesAtPause).toBeLessThanOrEqual(CHUNK)

    u.resume(id1)
    await waitForCompletion(u, [id1], 60_000)
    expect(await server.storedSha256(url1)).toBe(files[0]!.sha256)
    expect(proxy.bytesFor(url1)).toBeLessThanOrEqual(SIZE + CHUNK)
  })
})
