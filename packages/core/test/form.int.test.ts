import { describe, expect, it } from 'vitest'
import { statusOf, waitForCompletion } from './helpers/engine.js'
import { MiB, sleep, waitUntil } from './helpers/files.js'
import { startFormServer } from './helpers/form-server.js'
import { startRecordingProxy } from './helpers/recording-proxy.js'
import { useSourceFile } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// el-upload's protocol: one multipart/form-data POST per file. Not resumable, so pause aborts
// the request and resume sends the whole file again from byte 0.
const SIZE = 8 * MiB
const RATE = 4 * MiB

const file = useSourceFile('form-src', 'photo.bin', SIZE)

describe('form protocol', () => {
  const stack = useStack({
    server: () => startFormServer('/upload'),
    proxy: (server) => startRecordingProxy(server.url, { bytesPerSecond: RATE }),
  })

  it('posts the file with extra fields and headers; pause aborts, resume starts over at 0', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      protocol: 'form',
      fieldName: 'upfile',
      data: { album: 'holidays', note: 'héllo wörld' },
      headers: { 'X-Custom': 'shuttle-test' },
    })
    const [id] = u.add(file.path) as [string]
    expect(proxy.endpoint).toMatch(/\/upload$/)

    await waitUntil(() => (proxy.log[0]?.bytes ?? 0) >= 2 * MiB, 15_000, 'the form POST to carry 2 MiB')
    u.pause(id)
    const pausedAt = Date.now()
    expect(statusOf(u, id)).toBe('paused')
    await waitUntil(() => server.aborted === 1, 5_000, 'the server to see the aborted body')
    expect(proxy.log[0]?.aborted).toBe(true)
    expect(proxy.log[0]?.bytes).toBeLessThan(SIZE)
    // Nothing was confirmed: a form POST cannot be resumed.
    expect(u.getFile(id)?.bytesConfirmed).toBe(0)
    await sleep(500)
    expect(proxy.log.filter((e) => e.start >= pausedAt)).toEqual([])
    expect(server.receipts).toEqual([])

    u.resume(id)
    await waitForCompletion(u, [id], 30_000)

    expect(proxy.log).toHaveLength(2)
    // The second POST carried the whole file again (plus multipart framing).
    expect(proxy.log[1]!.bytes).toBeGreaterThan(SIZE)
    expect(server.receipts).toHaveLength(1)
    const receipt = server.receipts[0]!
    expect(receipt.fields).toEqual({ album: 'holidays', note: 'héllo wörld' })
    expect(receipt.files.upfile).toEqual({ filename: file.name, size: SIZE, sha256: file.sha256 })
    expect(receipt.headers['x-custom']).toBe('shuttle-test')
    expect(receipt.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/)
    expect(u.getFile(id)?.bytesConfirmed).toBe(SIZE)
  })

  it('a failing form endpoint marks the file failed after the retry budget', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({
      endpoint: `${proxy.origin}/nope`,
      protocol: 'form',
      retryDelays: [0, 50],
    })
    const retries: number[] = []
    u.on('retry', ({ attempt }) => retries.push(attempt))
    const [id] = u.add({ data: new Uint8Array([1, 2, 3]), name: 'tiny.bin' }) as [string]
    await waitUntil(
      () => statusOf(u, id) === 'failed' || statusOf(u, id) === 'completed',
      10_000,
      'a final state',
    )
    expect(statusOf(u, id)).toBe('failed')
    expect(server.receipts).toEqual([])
    // 404 is not retryable: a client error is final at once.
    expect(retries).toEqual([])
    expect(proxy.log.map((e) => e.status)).toEqual([404])
  })

  it('a 503 is retried from byte 0, the file arrives once, and completed carries the response', async () => {
    const { server, proxy } = stack
    server.failNext(1, 503)
    const u = stack.uploader({ endpoint: proxy.endpoint, protocol: 'form', retryDelays: [0, 50] })
    const completed: Array<{ status: number; body: string } | undefined> = []
    u.on('completed', ({ response }) => completed.push(response))
    const [id] = u.add(file.path) as [string]
    await waitForCompletion(u, [id], 30_000)
    expect(proxy.log.map((e) => e.status)).toEqual([503, 200])
    expect(proxy.log[1]!.bytes).toBeGreaterThan(SIZE)
    expect(server.receipts).toHaveLength(1)
    expect(server.receipts[0]!.files.file).toEqual({ filename: file.name, size: SIZE, sha256: file.sha256 })
    // 'completed' follows the state change once the source is closed.
    await waitUntil(() => completed.length > 0, 2_000, "the 'completed' event")
    expect(completed).toHaveLength(1)
    expect(completed[0]?.status).toBe(200)
    expect(JSON.parse(completed[0]?.body ?? '{}')).toEqual({ ok: true, receipt: 1 })
  })
})
