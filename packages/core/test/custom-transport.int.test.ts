import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createFileCheckpointStore } from '@shuttle/core'
import { describe, expect, it } from 'vitest'
import { contentRangeTransport } from './examples/content-range-transport.js'
import { recordTransitions, statusOf, waitForCompletion } from './helpers/engine.js'
import { MiB, sleep, waitUntil } from './helpers/files.js'
import { startRangeServer } from './helpers/range-server.js'
import { startRecordingProxy } from './helpers/recording-proxy.js'
import { useSourceFile } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// The README's custom transport (test/examples/content-range-transport.ts), plugged in through the
// `transport` option, driven by the real engine over real sockets through the whole lifecycle.
const SIZE = 6 * MiB
const PART = 256 * 1024
const RATE = 3 * MiB

const file = useSourceFile('custom-transport-src', 'range.bin', SIZE)

describe('a custom transport through the real engine (Content-Range PUT server)', () => {
  const stack = useStack({
    server: () => startRangeServer(PART),
    proxy: (server) => startRecordingProxy(server.endpoint, { bytesPerSecond: RATE }),
    checkpoints: 'custom-transport-ck',
  })
  const puts = () => stack.proxy.log.filter((e) => e.method === 'PUT')
  const putBytes = () => puts().reduce((n, e) => n + e.bytes, 0)

  it('pause sends nothing more; resume HEADs and continues from the server offset; the bytes arrive intact', async () => {
    const { server, proxy, checkpointDir } = stack
    const up = stack.uploader({
      endpoint: proxy.endpoint,
      transport: contentRangeTransport,
      checkpointStore: createFileCheckpointStore(checkpointDir),
    })
    const transitions = recordTransitions(up)
    const [id] = up.add(file.path) as [string]
    await waitUntil(() => (up.getFile(id)?.bytesConfirmed ?? 0) >= 4 * PART, 20_000, 'four parts confirmed')
    up.pause(id)
    expect(statusOf(up, id)).toBe('paused')
    const url = up.getFile(id)?.url
    if (!url) throw new Error('no upload URL while paused')
    const requestsAtPause = proxy.log.length
    await sleep(400) // a deliberate quiet window: a paused file sends nothing
    expect(proxy.log.length).toBe(requestsAtPause)
    const held = server.uploads.get(new URL(url).pathname)?.received ?? -1
    expect(held).toBeGreaterThanOrEqual(4 * PART)
    expect(up.getFile(id)?.bytesConfirmed).toBeLessThanOrEqual(held)

    const resumedAt = proxy.log.length
    up.resume(id)
    await waitForCompletion(up, [id], 30_000)
    const after = proxy.log.slice(resumedAt)
    expect(after[0]?.method).toBe('HEAD')
    expect(after.filter((e) => e.method === 'POST')).toEqual([])
    expect(after.find((e) => e.method === 'PUT')?.path).toBe(new URL(url).pathname)
    // Bytes the server had are not sent again: at most the part in flight at the pause.
    expect(putBytes()).toBeLessThanOrEqual(SIZE + PART)
    expect(await server.storedSha256(url)).toBe(file.sha256)
    expect(up.getFile(id)).toMatchObject({ status: 'completed', url, bytesConfirmed: SIZE, percent: 100 })
    expect(transitions.map((t) => t.to)).toEqual([
      'queued',
      'preparing',
      'uploading',
      'paused',
      'queued',
      'preparing',
      'uploading',
      'completed',
    ])
    expect(await readdir(checkpointDir)).toEqual([]) // the checkpoint went with completion
  })

  it('a failing server: automatic retries, then failed; retry() continues from the confirmed offset', async () => {
    const { server, proxy } = stack
    const up = stack.uploader({
      endpoint: proxy.endpoint,
      transport: contentRangeTransport,
      retryDelays: [10, 10],
    })
    const retries: number[] = []
    up.on('retry', ({ attempt }) => retries.push(attempt))
    const [id] = up.add(file.path) as [string]
    await waitUntil(() => (up.getFile(id)?.bytesConfirmed ?? 0) >= 3 * PART, 20_000, 'three parts confirmed')
    server.failPutsWith(503)
    await waitUntil(() => statusOf(up, id) === 'failed', 20_000, 'the file to fail')
    expect(retries).toEqual([1, 2])
    expect(up.getFile(id)?.error).toMatchObject({ code: 'ERR_HTTP_STATUS', status: 503 })
    const confirmed = up.getFile(id)?.bytesConfirmed ?? 0
    expect(confirmed).toBeGreaterThanOrEqual(3 * PART)

    server.failPutsWith(undefined)
    const retriedAt = proxy.log.length
    up.retry(id)
    await waitForCompletion(up, [id], 30_000)
    const after = proxy.log.slice(retriedAt)
    expect(after[0]?.method).toBe('HEAD')
    expect(after.filter((e) => e.method === 'POST')).toEqual([])
    const url = up.getFile(id)?.url as string
    expect(await server.storedSha256(url)).toBe(file.sha256)
  })

  it('cancel deletes the upload on the server and its checkpoint', async () => {
    const { server, proxy, checkpointDir } = stack
    const up = stack.uploader({
      endpoint: proxy.endpoint,
      transport: contentRangeTransport,
      checkpointStore: createFileCheckpointStore(checkpointDir),
    })
    const [id] = up.add(file.path) as [string]
    await waitUntil(() => (up.getFile(id)?.bytesConfirmed ?? 0) >= 2 * PART, 20_000, 'two parts confirmed')
    const url = up.getFile(id)?.url as string
    expect(server.uploads.has(new URL(url).pathname)).toBe(true)
    expect(await readdir(checkpointDir)).toHaveLength(1)
    await up.cancel(id)
    expect(statusOf(up, id)).toBe('canceled')
    expect(proxy.log.filter((e) => e.method === 'DELETE').map((e) => e.path)).toEqual([new URL(url).pathname])
    expect(server.uploads.has(new URL(url).pathname)).toBe(false)
    expect(await readdir(checkpointDir)).toEqual([])
  })

  it('a new uploader resumes from the checkpoint; a state the transport refuses means a fresh upload', async () => {
    const { server, proxy, checkpointDir } = stack
    const options = { endpoint: proxy.endpoint, transport: contentRangeTransport }
    const first = stack.uploader({ ...options, checkpointStore: createFileCheckpointStore(checkpointDir) })
    const [id1] = first.add(file.path) as [string]
    await waitUntil(
      () => (first.getFile(id1)?.bytesConfirmed ?? 0) >= 2 * PART,
      20_000,
      'two parts confirmed',
    )
    const url = first.getFile(id1)?.url as string
    await first.destroy()
    const [name] = await readdir(checkpointDir)
    const saved = JSON.parse(await readFile(join(checkpointDir, name as string), 'utf8'))
    expect(saved.checkpoint).toMatchObject({
      transport: 'content-range',
      url,
      size: SIZE,
      state: { partSize: PART },
    })

    const second = stack.uploader({ ...options, checkpointStore: createFileCheckpointStore(checkpointDir) })
    const [id2] = second.add(file.path) as [string]
    await waitUntil(() => (second.getFile(id2)?.bytesConfirmed ?? 0) >= 3 * PART, 20_000, 'resumed upload')
    expect(second.getFile(id2)?.url).toBe(url)
    expect(proxy.log.filter((e) => e.method === 'POST')).toHaveLength(1)
    await second.destroy()

    // A tampered state (partSize -1) is refused by the transport's parseState: fresh upload, new URL.
    const tampered = JSON.parse(await readFile(join(checkpointDir, name as string), 'utf8'))
    tampered.checkpoint.state = { partSize: -1 }
    await writeFile(join(checkpointDir, name as string), JSON.stringify(tampered))
    const third = stack.uploader({ ...options, checkpointStore: createFileCheckpointStore(checkpointDir) })
    const [id3] = third.add(file.path) as [string]
    await waitForCompletion(third, [id3], 30_000)
    const fresh = third.getFile(id3)?.url as string
    expect(fresh).not.toBe(url)
    expect(proxy.log.filter((e) => e.method === 'POST')).toHaveLength(2)
    expect(await server.storedSha256(fresh)).toBe(file.sha256)
  })
})
