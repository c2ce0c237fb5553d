import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createFileCheckpointStore } from '@shuttle/core'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  firstEntries,
  recordingHttpClient,
  recordTransitions,
  statusOf,
  waitForCompletion,
} from './helpers/engine.js'
import { createFaultGate } from './helpers/fault.js'
import { MiB, sleep, waitUntil } from './helpers/files.js'
import { rawRequest, type ServerKind, withOrigin } from './helpers/servers.js'
import { useSourceFiles } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// pauseAll/resumeAll, cancelAll, retry() of a failed file and resume(id, { first }), against both
// servers, through a proxy limiting each request to 4 MiB/s.
const SIZE = 8 * MiB
const CHUNK = 1 * MiB
const RATE = 4 * MiB

const files = useSourceFiles('lifecycle-src', [SIZE, SIZE, SIZE, MiB, MiB])

describe.each(['shuttle', 'tus-node'] as const)('lifecycle against %s', (kind: ServerKind) => {
  const fault = createFaultGate()
  beforeEach(() => {
    fault.failPatchesWith = null
  })

  const stack = useStack(kind, { wrap: fault.wrap, bytesPerSecond: RATE, checkpoints: 'lifecycle-ck' })

  it('pauseAll stops every file at once, resumeAll finishes them without resending confirmed bytes', async () => {
    const { server, proxy } = stack
    const { client, sends } = recordingHttpClient()
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      maxConcurrentUploads: 2,
      httpClient: client,
    })
    const ids = u.add(files.slice(0, 4).map((f) => f.path))
    await waitUntil(
      () => ids.slice(0, 2).every((id) => (u.getFile(id)?.bytesConfirmed ?? 0) >= CHUNK),
      20_000,
      'two files to confirm a chunk',
    )
    u.pauseAll()
    const pausedAt = Date.now()
    expect(u.getFiles().map((f) => f.status)).toEqual(['paused', 'paused', 'paused', 'paused'])
    await sleep(1_000)
    expect(sends.filter((s) => s.at >= pausedAt && !s.abortedAtCall)).toEqual([])
    expect(u.getFiles().map((f) => f.status)).toEqual(['paused', 'paused', 'paused', 'paused'])

    u.resumeAll()
    await waitForCompletion(u, ids, 60_000)
    expect(proxy.byMethod().POST?.count).toBe(4)
    for (const [i, id] of ids.entries()) {
      const url = u.getFile(id)!.url!
      expect(proxy.bytesFor(url), `bytes sent for file ${i + 1}`).toBeLessThanOrEqual(SIZE + CHUNK)
      expect(await server.storedSha256(url)).toBe(files[i]!.sha256)
    }
  })

  it('cancelAll deletes every started upload and every checkpoint, and nothing starts after it', async () => {
    const { server, proxy, checkpointDir } = stack
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      maxConcurrentUploads: 2,
      checkpointStore: createFileCheckpointStore(checkpointDir),
    })
    const ids = u.add(files.slice(0, 3).map((f) => f.path))
    await waitUntil(
      () => ids.slice(0, 2).every((id) => (u.getFile(id)?.bytesConfirmed ?? 0) >= CHUNK),
      20_000,
      'two files to confirm a chunk',
    )
    const urls = ids.slice(0, 2).map((id) => u.getFile(id)!.url!)
    await u.cancelAll()
    const canceledAt = Date.now()
    expect(u.getFiles().map((f) => f.status)).toEqual(['canceled', 'canceled', 'canceled'])
    for (const url of urls) {
      expect([404, 410]).toContain((await rawRequest('HEAD', withOrigin(url, server.origin))).status)
    }
    expect(await server.storedUploads()).toEqual([])
    const names = await readdir(checkpointDir, { recursive: true, withFileTypes: true })
    const texts = await Promise.all(
      names.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'utf8')),
    )
    for (const url of urls) expect(texts.join('\n')).not.toContain(new URL(url).pathname)
    await sleep(500)
    expect(proxy.log.filter((e) => e.start > canceledAt)).toEqual([])
    expect(proxy.log.filter((e) => e.method === 'POST' && e.filename === files[2]!.name)).toEqual([])
  })

  it('retry() of a failed file continues from the confirmed offset with the same upload', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: CHUNK, retryDelays: [0, 50] })
    const [id] = u.add(files[0]!.path) as [string]
    await waitUntil(() => (u.getFile(id)?.bytesConfirmed ?? 0) >= 2 * CHUNK, 20_000, 'two confirmed chunks')
    fault.failPatchesWith = 503
    await waitUntil(() => statusOf(u, id) === 'failed', 20_000, 'the file to fail')
    expect(fault.failed).toBe(3) // the first attempt and both retries
    const url = u.getFile(id)!.url!
    const head = await rawRequest('HEAD', withOrigin(url, server.origin))
    const serverOffset = Number(head.headers['upload-offset'])
    expect(serverOffset).toBeGreaterThanOrEqual(2 * CHUNK)

    fault.failPatchesWith = null
    const retriedAt = Date.now()
    u.retry(id)
    await waitForCompletion(u, [id], 30_000)
    expect(u.getFile(id)?.url).toBe(url)
    expect(proxy.byMethod().POST?.count).toBe(1)
    const next = proxy.requestsFor(url).find((e) => e.method === 'PATCH' && e.start >= retriedAt)
    expect(next?.offset).toBe(serverOffset)
    // The creation POST (it carries the first chunk: creation-with-upload) and the PATCHes the
    // server accepted cover the file exactly once.
    const accepted = proxy
      .requestsFor(url)
      .filter((e) => (e.method === 'PATCH' && e.status === 204) || (e.method === 'POST' && e.status === 201))
    expect(accepted.reduce((n, e) => n + e.bytes, 0)).toBe(SIZE)
    expect(await server.storedSha256(url)).toBe(files[0]!.sha256)
  })

  it('resume(id, { first: true }) puts a paused file ahead of the queued ones', async () => {
    const { proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: CHUNK, maxConcurrentUploads: 1 })
    const transitions = recordTransitions(u)
    const [a, b, c] = u.add([files[0]!.path, files[3]!.path, files[4]!.path]) as [string, string, string]
    await waitUntil(() => (u.getFile(a)?.bytesConfirmed ?? 0) >= CHUNK, 20_000, 'A to confirm a chunk')
    u.pause(a)
    await waitUntil(() => statusOf(u, b) === 'uploading', 2_000, 'B to take the slot')
    const mark = transitions.length
    u.resume(a, { first: true })
    await waitForCompletion(u, [a, b, c], 40_000)
    expect(firstEntries(transitions.slice(mark), ['uploading'])).toEqual([a, c])
    expect(firstEntries(transitions, ['uploading'])).toEqual([a, b, c])
    const aEntries = transitions.filter((t) => t.id === a && t.to === 'uploading')
    const bDone = transitions.find((t) => t.id === b && t.to === 'completed')!
    const cStart = transitions.find((t) => t.id === c && t.to === 'uploading')!
    expect(aEntries[1]!.at).toBeGreaterThanOrEqual(bDone.at)
    expect(aEntries[1]!.at).toBeLessThanOrEqual(cStart.at)
  })

  it('a file that fails frees its slot at once for the next one', async () => {
    const { proxy } = stack
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      maxConcurrentUploads: 1,
      retryDelays: [],
    })
    const transitions = recordTransitions(u)
    const [a, b] = u.add([files[0]!.path, files[3]!.path]) as [string, string]
    await waitUntil(() => (u.getFile(a)?.bytesConfirmed ?? 0) >= CHUNK, 20_000, 'A to confirm a chunk')
    let failedAt = 0
    u.on('failed', () => {
      failedAt = Date.now()
      fault.failPatchesWith = null
    })
    fault.failPatchesWith = 500
    await waitForCompletion(u, [b], 20_000)
    expect(statusOf(u, a)).toBe('failed')
    const bStart = transitions.find((t) => t.id === b && (t.to === 'preparing' || t.to === 'uploading'))!
    expect(bStart.at - failedAt).toBeLessThanOrEqual(500)
    expect(u.getFile(a)?.error).toBeDefined()
  })
})
