import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { recordingHttpClient, waitForCompletion } from './helpers/engine.js'
import { seededRandom, sha256OfBytes, sleep, waitUntil } from './helpers/files.js'
import { rawRequest, withOrigin } from './helpers/servers.js'
import { useStack } from './helpers/stack.js'

// 60 in-memory files and 3 s of seeded random pause / resume / move / cancel while they upload.
// Whatever the order of operations: the slot limit holds, nothing gets stuck, every file that was
// not canceled arrives byte-identical, and every canceled upload is gone from the server.
const FILES = 60
const MAX_CONCURRENT = 3
const CHUNK = 128 * 1024
const SEED = Number(process.env.SHUTTLE_CHAOS_SEED ?? 20261121)

describe('random queue operations', () => {
  const stack = useStack('shuttle', { bytesPerSecond: 2 * 1024 * 1024 })

  it('keeps every invariant under random pause/resume/move/cancel', async () => {
    const { server, proxy } = stack
    const random = seededRandom(SEED)
    const inputs = Array.from({ length: FILES }, (_, i) => {
      const data = new Uint8Array(randomBytes(1024 + Math.floor(random() * 600 * 1024)))
      return { data, name: `mem-${i}.bin`, sha256: sha256OfBytes(data) }
    })
    const http = recordingHttpClient()
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      maxConcurrentUploads: MAX_CONCURRENT,
      retryDelays: [0, 100],
      httpClient: http.client,
    })
    let maxActive = 0
    u.on('state-change', () => {
      const active = u.getFiles().filter((f) => f.status === 'preparing' || f.status === 'uploading').length
      maxActive = Math.max(maxActive, active)
    })
    const announced = new Set<string>()
    u.on('upload-created', ({ url }) => announced.add(new URL(url).pathname.split('/').pop()!))
    const ids = u.add(inputs.map(({ data, name }) => ({ data, name })))
    const canceled = new Set<string>()
    const unexpected: unknown[] = []
    const guard = (op: () => unknown) => {
      try {
        const r = op()
        if (r instanceof Promise) r.catch((err: unknown) => unexpected.push(err))
      } catch (err) {
        if ((err as { code?: string }).code !== 'ERR_INVALID_TRANSITION') unexpected.push(err)
      }
    }

    const until = Date.now() + 3_000
    while (Date.now() < until) {
      const id = ids[Math.floor(random() * ids.length)]!
      const r = random()
      if (r < 0.35) guard(() => u.pause(id))
      else if (r < 0.7) guard(() => u.resume(id, { first: random() < 0.3 }))
      else if (r < 0.95) guard(() => u.move(id, Math.floor(random() * ids.length)))
      else if (!canceled.has(id) && u.getFile(id)?.status !== 'completed') {
        canceled.add(id)
        guard(() => u.cancel(id))
      }
      await sleep(10 + Math.floor(random() * 20))
    }
    u.resumeAll()
    const kept = ids.filter((id) => !canceled.has(id))
    await waitForCompletion(u, kept, 90_000)
    await waitUntil(() => [...canceled].every((id) => u.getFile(id)?.status === 'canceled'), 5_000, 'cancels')

    expect(unexpected).toEqual([])
    expect(maxActive).toBeLessThanOrEqual(MAX_CONCURRENT)
    // One upload, one request at a time: a pause/resume race never runs a file twice.
    expect(http.maxInFlightPerUrl()).toBe(1)
    expect(canceled.size).toBeGreaterThan(0)
    for (const [i, id] of ids.entries()) {
      const f = u.getFile(id)!
      if (canceled.has(id)) {
        if (f.url)
          expect([404, 410]).toContain((await rawRequest('HEAD', withOrigin(f.url, server.origin))).status)
        continue
      }
      expect(await server.storedSha256(f.url!), f.name).toBe(inputs[i]!.sha256)
      expect(proxy.bytesFor(f.url!), f.name).toBeLessThanOrEqual(inputs[i]!.data.length + CHUNK)
    }
    // Every upload left on the server that no file owns must be one the engine never learned of and
    // never PATCHed: the only allowed leftover is a creation the client abandoned mid-POST (pause or
    // cancel raced the 201). With creation-with-upload that POST carried at most one chunk, so the
    // orphan may hold up to that much. An orphan the engine announced would be an upload it forgot.
    const completedIds = kept.map((id) => new URL(u.getFile(id)!.url!).pathname.split('/').pop())
    const orphans = (await server.storedUploads()).filter((s) => !completedIds.includes(s.id))
    const patched = (id: string) => proxy.log.filter((e) => e.method === 'PATCH' && e.path.endsWith(`/${id}`))
    for (const o of orphans) {
      expect(announced.has(o.id), `orphan ${o.id} was announced by upload-created`).toBe(false)
      expect(o.size, `orphan ${o.id} holds more than one POST body`).toBeLessThanOrEqual(CHUNK)
      expect(patched(o.id), `orphan ${o.id} was PATCHed`).toEqual([])
    }
  })
})
