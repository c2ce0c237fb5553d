import { copyFile, readFile, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import {
  createFileCheckpointStore,
  createNodeIdentityHasher,
  createTusTransport,
  type TransportFactory,
} from '@shuttle/core'
import { describe, expect, it } from 'vitest'
import { waitForCompletion } from './helpers/engine.js'
import { identityOfBytes, MiB, waitUntil } from './helpers/files.js'
import { rawRequest, withOrigin } from './helpers/servers.js'
import { useSourceFile } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// Resume by content: the same bytes picked again under another name and modification time (a
// re-download, a copy) find their unfinished upload through the identity key of the checkpoint
// store, and continue from the server's offset.
const SIZE = 12 * MiB
const CHUNK = 1 * MiB
const RATE = 6 * MiB

const file = useSourceFile('content-src', 'original.bin', SIZE)
// Big enough that the worker threads are still hashing when the first (throttled) progress event
// arrives: on an idle machine two threads hashed all of 96 MiB before that event came.
const BIG = 384 * MiB
const big = useSourceFile('content-big', 'big.bin', BIG)

/** The tus transport, recording the identity each attempt is given. */
function recordingTus(seen: Array<Uint8Array | undefined>, wants?: boolean): TransportFactory {
  return () => {
    const tus = createTusTransport()
    return {
      ...tus,
      upload: (ctx) => {
        seen.push(ctx.identity)
        return tus.upload(ctx)
      },
      ...(wants === undefined ? {} : { wantsIdentity: async () => wants }),
    }
  }
}

describe('resume by content', () => {
  const stack = useStack('shuttle', { bytesPerSecond: RATE, checkpoints: 'content-ck' })

  it('a renamed copy with a new mtime resumes the unfinished upload from the server offset', async () => {
    const { server, proxy, checkpointDir } = stack
    const seen: Array<Uint8Array | undefined> = []
    const first = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      identity: true,
      transport: recordingTus(seen),
      checkpointStore: createFileCheckpointStore(checkpointDir),
    })
    const hashed: number[] = []
    first.on('progress', ({ hashing }) => {
      if (hashing) hashed.push(hashing.bytes)
    })
    const [id1] = first.add(file.path) as [string]
    await waitUntil(() => (first.getFile(id1)?.bytesConfirmed ?? 0) >= 3 * CHUNK, 20_000, 'three chunks')
    const url = first.getFile(id1)?.url ?? ''
    await first.destroy()
    const expected = identityOfBytes(await readFile(file.path))
    expect(Buffer.from(seen[0] ?? [])).toEqual(expected)
    expect(hashed).toEqual([...hashed].sort((a, b) => a - b))
    expect(hashed.at(-1)).toBe(SIZE)
    const head = await rawRequest('HEAD', withOrigin(url, server.origin))
    const offset = Number(head.headers['upload-offset'])
    expect(offset).toBeGreaterThanOrEqual(3 * CHUNK)
    expect(offset).toBeLessThan(SIZE)

    // The same bytes under another name, dated a day later: the fingerprint no longer matches.
    const renamed = join(file.dir, 'renamed copy.bin')
    await copyFile(file.path, renamed)
    const later = new Date(Date.now() + 86_400_000)
    await utimes(renamed, later, later)
    const resumedAt = Date.now()
    const second = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      identity: true,
      checkpointStore: createFileCheckpointStore(checkpointDir),
    })
    const created: string[] = []
    second.on('upload-created', ({ url: u }) => created.push(u))
    const [id2] = second.add(renamed) as [string]
    await waitForCompletion(second, [id2], 30_000)
    expect(created).toEqual([])
    expect(second.getFile(id2)?.url).toBe(url)
    expect(proxy.log.filter((e) => e.method === 'POST')).toHaveLength(1)
    const firstPatch = proxy.requestsFor(url).find((e) => e.method === 'PATCH' && e.start >= resumedAt)
    expect(firstPatch?.offset).toBe(offset)
    expect(proxy.bytesFor(url)).toBeLessThanOrEqual(SIZE + CHUNK)
    expect(await server.storedSha256(url)).toBe(file.sha256)
  })

  it('a resume by fingerprint takes the identity from the checkpoint instead of hashing again', async () => {
    const { proxy, checkpointDir } = stack
    const store = createFileCheckpointStore(checkpointDir)
    const first = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      identity: true,
      checkpointStore: store,
    })
    const [id1] = first.add(file.path) as [string]
    await waitUntil(() => (first.getFile(id1)?.bytesConfirmed ?? 0) >= 2 * CHUNK, 20_000, 'two chunks')
    await first.destroy()
    let hashed = 0
    const counting = createNodeIdentityHasher()
    const seen: Array<Uint8Array | undefined> = []
    const second = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      identity: true,
      checkpointStore: store,
      transport: recordingTus(seen),
      identityHasher: {
        get workers() {
          return counting.workers
        },
        hash: (job) => {
          hashed++
          return counting.hash(job)
        },
      },
    })
    const [id2] = second.add(file.path) as [string]
    await waitForCompletion(second, [id2], 30_000)
    expect(hashed).toBe(0)
    expect(Buffer.from(seen[0] ?? [])).toEqual(identityOfBytes(await readFile(file.path)))
  })

  it('without identity the renamed copy is a new upload (the test can fail)', async () => {
    const { proxy, checkpointDir } = stack
    const store = createFileCheckpointStore(checkpointDir)
    const first = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      identity: false,
      checkpointStore: store,
    })
    const [id1] = first.add(file.path) as [string]
    await waitUntil(() => (first.getFile(id1)?.bytesConfirmed ?? 0) >= 2 * CHUNK, 20_000, 'two chunks')
    await first.destroy()
    const renamed = join(file.dir, 'another name.bin')
    await copyFile(file.path, renamed)
    const second = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      identity: false,
      checkpointStore: store,
    })
    const created: string[] = []
    second.on('upload-created', ({ url }) => created.push(url))
    const [id2] = second.add(renamed) as [string]
    await waitForCompletion(second, [id2], 30_000)
    expect(created).toHaveLength(1)
  })

  it("'auto' hashes only when the transport says the server uses the identity", async () => {
    const { proxy } = stack
    const hashes = async (wants: boolean | undefined) => {
      const seen: Array<Uint8Array | undefined> = []
      const up = stack.uploader({
        endpoint: proxy.endpoint,
        chunkSize: 4 * MiB,
        transport: recordingTus(seen, wants),
      })
      let hashing = false
      up.on('progress', (p) => {
        hashing ||= p.hashing !== undefined
      })
      const [id] = up.add(file.path) as [string]
      await waitForCompletion(up, [id], 30_000)
      return { identity: seen[0], hashing }
    }
    // Our server lists instant-upload, so the transport's own answer is yes; a transport that says
    // no is how a server without it looks: nothing is hashed.
    const auto = await hashes(undefined)
    expect(auto.hashing).toBe(true)
    expect(Buffer.from(auto.identity ?? [])).toEqual(identityOfBytes(await readFile(file.path)))
    expect(await hashes(false)).toEqual({ identity: undefined, hashing: false })
    const yes = await hashes(true)
    expect(yes.hashing).toBe(true)
    expect(Buffer.from(yes.identity ?? [])).toEqual(identityOfBytes(await readFile(file.path)))
  })
})

describe('hashing and pause', () => {
  const stack = useStack('shuttle')

  it('a pause mid-hash stops the worker threads and sends nothing; resume hashes and uploads', async () => {
    const { proxy, server } = stack
    const hasher = createNodeIdentityHasher({ threads: 2 })
    const up = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: 8 * MiB,
      identity: true,
      identityHasher: hasher,
    })
    const requestsBefore = proxy.log.length
    let pausedAt: { bytes: number; workers: number; status: string } | undefined
    // Paused from the first hashing progress after a block: the workers are running then.
    const off = up.on('progress', ({ id, hashing }) => {
      if (pausedAt || !hashing || hashing.bytes === 0) return
      pausedAt = { bytes: hashing.bytes, workers: hasher.workers, status: up.getFile(id)?.status ?? '' }
      up.pause(id)
    })
    const [id] = up.add(big.path) as [string]
    await waitUntil(() => up.getFile(id)?.status === 'paused', 20_000, 'paused')
    off()
    // Workers still hashing (on an idle machine one may have finished its share already).
    expect(pausedAt?.status).toBe('preparing')
    expect(pausedAt?.workers).toBeGreaterThan(0)
    expect(pausedAt?.bytes).toBeLessThan(BIG)
    await waitUntil(() => hasher.workers === 0, 5_000, 'no worker left')
    expect(up.getFile(id)?.hashing).toBeUndefined()
    expect(proxy.log.slice(requestsBefore).filter((e) => e.method !== 'OPTIONS')).toEqual([])
    up.resume(id)
    await waitForCompletion(up, [id], 30_000)
    expect(hasher.workers).toBe(0)
    expect(await server.storedSha256(up.getFile(id)?.url ?? '')).toBe(big.sha256)
  })

  it('a cancel mid-hash stops the worker threads and creates nothing', async () => {
    const { proxy } = stack
    const hasher = createNodeIdentityHasher({ threads: 2 })
    const up = stack.uploader({ endpoint: proxy.endpoint, identity: true, identityHasher: hasher })
    const requestsBefore = proxy.log.length
    let workersAtCancel = 0
    let bytesAtCancel = 0
    let canceling: Promise<void> | undefined
    up.on('progress', ({ id, hashing }) => {
      if (canceling || !hashing || hashing.bytes === 0) return
      workersAtCancel = hasher.workers
      bytesAtCancel = hashing.bytes
      canceling = up.cancel(id)
    })
    const [id] = up.add(big.path) as [string]
    await waitUntil(() => up.getFile(id)?.status === 'canceled', 20_000, 'canceled')
    await canceling
    expect(workersAtCancel).toBeGreaterThan(0)
    expect(bytesAtCancel).toBeLessThan(BIG)
    await waitUntil(() => hasher.workers === 0, 5_000, 'no worker left')
    expect(proxy.log.slice(requestsBefore).filter((e) => e.method !== 'OPTIONS')).toEqual([])
  })
})
