import { describe, expect, it, vi } from 'vitest'
import { createMemoryCheckpointStore } from '../checkpoints/memory-store.js'
import { defaultFingerprint } from '../fingerprint.js'
import type { Clock } from '../platform.js'
import type { FileReaderPort, HttpClient } from '../ports.js'
import { createBytesSource } from '../sources/bytes-source.js'
import { createFakeTus, flush } from '../test-support/fake-tus.js'
import { createTestUploader, file } from '../test-support/uploader.js'

// Browser-like inputs: name, type, size and lastModified known at add(), as a File's are.
const reader: FileReaderPort = {
  describe: (input) => {
    const i = input as { data: Uint8Array; name: string }
    return { name: i.name, type: 'application/octet-stream', size: i.data.length, lastModified: 1 }
  },
  open: async (input) => {
    const i = input as { data: Uint8Array; name: string }
    return createBytesSource(i.data, { name: i.name, type: 'application/octet-stream', lastModified: 1 })
  },
}
const ENDPOINT = 'http://tus.test/files'
const fingerprintOf = (name: string, size: number) =>
  defaultFingerprint({ name, type: 'application/octet-stream', size, lastModified: 1 }, ENDPOINT)

/** A server that already holds `offset` bytes of `name` from an earlier visit, and its checkpoint. */
async function earlierVisit(name: string, size: number, offset: number, withOffsetHint: boolean) {
  const fake = createFakeTus()
  const store = createMemoryCheckpointStore()
  const url = `${ENDPOINT}/earlier-${name}`
  const bytes = file(name, size).data
  fake.uploads.set(url, { length: size, offset, bytes: bytes.slice(), deleted: false })
  const now = Date.now()
  await store.set(fingerprintOf(name, size), {
    transport: 'tus',
    url,
    size,
    endpoint: ENDPOINT,
    metadata: { filename: name },
    state: {},
    ...(withOffsetHint ? { offset } : {}),
    createdAt: now,
    updatedAt: now,
  })
  return { fake, store, url }
}

describe('honest numbers', () => {
  it("speed counts only the bytes this session moved, not the server's earlier ones", async () => {
    const { fake, store } = await earlierVisit('a', 1000, 500, false)
    // 100 bytes per PATCH, one PATCH per simulated second: 100 B/s is the truth.
    let t = 0
    const clock: Clock = { now: () => t, setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout }
    const client: HttpClient = {
      send: async (req) => {
        if (req.method === 'PATCH') t += 1000
        return fake.client.send(req)
      },
    }
    const up = createTestUploader(fake)({
      endpoint: ENDPOINT,
      chunkSize: 100,
      checkpointStore: store,
      fileReader: reader,
      httpClient: client,
      clock,
    })
    const speeds: number[] = []
    up.on('progress', (p) => speeds.push(p.speed))
    const [id] = up.add(file('a', 1000)) as [string]
    await vi.waitFor(() => expect(up.getFile(id)?.status).toBe('completed'))
    expect(fake.log.filter((r) => r.method === 'PATCH').length).toBe(5) // resumed at 500
    expect(Math.max(...speeds)).toBeGreaterThan(50)
    expect(Math.max(...speeds)).toBeLessThanOrEqual(100)
  })

  it('a waiting file shows the offset the server last confirmed before its turn comes', async () => {
    const { fake, store, url } = await earlierVisit('b', 1000, 600, true)
    fake.hold = true // the first file keeps the only slot
    const up = createTestUploader(fake)({
      endpoint: ENDPOINT,
      chunkSize: 100,
      maxConcurrentUploads: 1,
      checkpointStore: store,
      fileReader: reader,
    })
    const [, b] = up.add([file('first', 1000), file('b', 1000)]) as [string, string]
    await flush()
    const waiting = up.getFile(b)
    expect(waiting?.status).toBe('queued')
    expect(waiting?.bytesConfirmed).toBe(600)
    expect(waiting?.percent).toBe(60)
    expect(waiting?.url).toBe(url)
    fake.hold = false
    fake.release()
    await vi.waitFor(() => expect(up.getFile(b)?.status).toBe('completed'))
    // Resumed from the server's offset after a HEAD: 4 chunks of 100 bytes, no new upload.
    const forB = fake.log.filter((r) => r.url === url)
    expect(forB.map((r) => r.method)).toEqual(['HEAD', 'PATCH', 'PATCH', 'PATCH', 'PATCH'])
  })

  it('a finished file picked again is recognised: one HEAD, nothing sent, marked alreadyUploaded', async () => {
    const fake = createFakeTus()
    const store = createMemoryCheckpointStore()
    const opts = {
      endpoint: ENDPOINT,
      chunkSize: 100,
      checkpointStore: store,
      fileReader: reader,
      rememberFinished: true,
    }
    const first = createTestUploader(fake)(opts)
    const [a] = first.add(file('c', 300)) as [string]
    await vi.waitFor(() => expect(first.getFile(a)?.status).toBe('completed'))
    const url = first.getFile(a)?.url
    expect(first.getFile(a)?.alreadyUploaded).toBeUndefined()
    await first.destroy()

    // A new page: the same file picked again.
    const before = fake.log.length
    const second = createTestUploader(fake)(opts)
    const done: Array<{ alreadyUploaded?: boolean }> = []
    second.on('completed', (p) => done.push(p))
    const [c] = second.add(file('c', 300)) as [string]
    await vi.waitFor(() => expect(second.getFile(c)?.status).toBe('completed'))
    expect(second.getFile(c)?.url).toBe(url)
    expect(second.getFile(c)?.alreadyUploaded).toBe(true)
    expect(done).toEqual([expect.objectContaining({ alreadyUploaded: true })])
    expect(fake.log.slice(before).map((r) => r.method)).not.toContain('PATCH')
    expect(fake.log.slice(before).map((r) => r.method)).not.toContain('POST')
  })

  it('rememberFinished: false deletes the checkpoint on completion (Node default)', async () => {
    const fake = createFakeTus()
    const store = createMemoryCheckpointStore()
    const up = createTestUploader(fake)({ endpoint: ENDPOINT, checkpointStore: store, fileReader: reader })
    const [a] = up.add(file('d', 300)) as [string]
    await vi.waitFor(() => expect(up.getFile(a)?.status).toBe('completed'))
    await vi.waitFor(async () => expect(await store.get(fingerprintOf('d', 300))).toBeUndefined())
  })
})
