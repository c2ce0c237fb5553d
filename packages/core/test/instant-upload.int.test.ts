import { createHash } from 'node:crypto'
import { loadavg } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitForCompletion } from './helpers/engine.js'
import { MiB, makeTempDir, removeDir, type TestFile, waitUntil, writeRandomFile } from './helpers/files.js'
import { startRecordingProxy } from './helpers/recording-proxy.js'
import { useStack } from './helpers/stack.js'

// Instant upload (秒传) in Node, over real sockets: the second upload of a 1 GiB file the server
// already holds completes with a proof of possession instead of its bytes. Bytes are counted by the
// recording proxy in front of the server (every request body byte it received).

const GiB = 1024 * MiB
let dir: string
let big: TestFile

beforeAll(async () => {
  dir = await makeTempDir('instant-src')
  big = await writeRandomFile(dir, 'one-gib.bin', GiB)
}, 300_000)

afterAll(() => removeDir(dir))

const methodsOf = (log: readonly { method: string }[]) => log.map((e) => e.method)

describe('instant upload against shuttle', () => {
  const stack = useStack('shuttle')

  it('the second upload of a 1 GiB file completes in < 1 s with < 1 MiB sent, and outlives the first', async () => {
    const { proxy, server } = stack
    const first = stack.uploader({ endpoint: proxy.endpoint })
    const t0 = performance.now()
    const [a] = first.add(big.path) as [string]
    await waitForCompletion(first, [a], 240_000)
    const firstMs = performance.now() - t0
    const firstUrl = first.getFile(a)!.url!
    expect(proxy.bytesFor(firstUrl)).toBe(GiB)

    // Another uploader (another machine, or a run that forgot its checkpoints).
    const second = stack.uploader({ endpoint: proxy.endpoint })
    const before = proxy.log.length
    const completed: { instant?: boolean; identity?: { digest: string } }[] = []
    second.on('completed', (e) => completed.push(e))
    let hashedAt = Number.NaN
    second.on('progress', (e) => {
      if (e.hashing && e.hashing.bytes === e.hashing.total) hashedAt = performance.now()
    })
    const t1 = performance.now()
    const [b] = second.add(big.path, { run: 'second' }) as [string]
    await waitForCompletion(second, [b], 60_000)
    const secondMs = performance.now() - t1
    const requests = proxy.log.slice(before)
    const sent = requests.reduce((n, r) => n + r.bytes, 0)
    // The upload proper: from the creation POST to the answer of the proof. Before it come this new
    // uploader's OPTIONS and the file's identity (worker threads, one per core; ~0.65 CPU-s per GiB
    // here, so its wall time is whatever share of the 2 cores the machine's other jobs leave: that
    // time is in the total printed below, not in this bound).
    const upload = requests.filter((r) => r.method !== 'OPTIONS')
    const wireMs = Math.max(...upload.map((r) => r.end ?? 0)) - Math.min(...upload.map((r) => r.start))
    console.log(
      `instant upload of 1 GiB: first upload ${(firstMs / 1000).toFixed(1)} s; second ${secondMs.toFixed(0)} ms in all: ` +
        `${(hashedAt - t1).toFixed(0)} ms to the identity (OPTIONS + hashing), ${wireMs.toFixed(0)} ms from POST to ` +
        `the proof answered (${upload.map((r) => `${r.method} ${(r.end ?? 0) - r.start} ms`).join(', ')}); ` +
        `${sent} request body bytes; load average ${loadavg()[0]?.toFixed(1)}`,
    )
    expect(hashedAt).toBeGreaterThan(t1)
    expect(sent).toBeLessThan(MiB)
    expect(methodsOf(requests)).toEqual(['OPTIONS', 'POST', 'PATCH'])
    expect(wireMs).toBeLessThan(1000)
    const secondUrl = second.getFile(b)!.url!
    expect(secondUrl).not.toBe(firstUrl)
    expect(second.getFile(b)!.alreadyUploaded).toBe(true)
    await waitUntil(() => completed.length === 1, 10_000, 'the completed event')
    expect(completed[0]!.instant).toBe(true)
    expect(completed[0]!.identity?.digest).toMatch(/^[A-Za-z0-9+/]{43}=$/)

    // Removing the first upload leaves the second whole (the file store shares by hard link).
    const del = await fetch(firstUrl.replace(proxy.endpoint, server.endpoint), {
      method: 'DELETE',
      headers: { 'Tus-Resumable': '1.0.0' },
    })
    expect(del.status).toBe(204)
    const res = await fetch(secondUrl.replace(proxy.endpoint, server.endpoint))
    expect(res.status).toBe(200)
    const hash = createHash('sha256')
    for await (const chunk of res.body!) hash.update(chunk)
    expect(hash.digest('hex')).toBe(big.sha256)
  }, 600_000)
})

describe('a declared identity the bytes do not have', () => {
  const stack = useStack('shuttle')

  it('fails the file with ERR_DIGEST_MISMATCH at completion, sends nothing again, keeps nothing', async () => {
    const { server } = stack
    // As if the file changed between hashing and sending: the declaration names other content.
    const forging = await startRecordingProxy(server.endpoint, {
      mapRequestHeaders: (method, headers) => {
        if (method === 'POST' && headers['upload-identity'])
          headers['upload-identity'] = `sha256-4m=:${Buffer.alloc(32, 9).toString('base64')}:`
      },
    })
    try {
      const u = stack.uploader({ endpoint: forging.endpoint, retryDelays: [0, 0] })
      const small = await writeRandomFile(dir, 'six.bin', 6 * MiB)
      const [id] = u.add(small.path) as [string]
      await waitForCompletion(u, [id], 60_000).catch(() => {})
      const f = u.getFile(id)!
      expect(f.status).toBe('failed')
      expect(f.error?.code).toBe('ERR_DIGEST_MISMATCH')
      // One creation and one body: not retried, not re-sent.
      expect(methodsOf(forging.log).filter((m) => m !== 'OPTIONS')).toEqual(['POST', 'PATCH'])
      expect(forging.log.find((e) => e.method === 'PATCH')?.status).toBe(460)
      expect(await server.storedUploads()).toEqual([])
    } finally {
      await forging.close()
    }
  }, 120_000)
})

describe('instant upload degrades against @tus/server', () => {
  const stack = useStack('tus-node')

  it('uploads normally with no request beyond the one OPTIONS, the second time too', async () => {
    const { proxy, server } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, maxConcurrentUploads: 1 })
    const ids = u.add(big.path)
    await waitForCompletion(u, ids, 240_000)
    const again = u.add(big.path, { run: 'again' })
    await waitForCompletion(u, again, 240_000)
    expect(methodsOf(proxy.log).filter((m) => m === 'OPTIONS')).toHaveLength(1)
    for (const id of [...ids, ...again]) {
      const url = u.getFile(id)!.url!
      // @tus/server takes the whole file in one PATCH: POST and PATCH, nothing else.
      expect(methodsOf(proxy.requestsFor(url))).toEqual(['POST', 'PATCH'])
      expect(proxy.bytesFor(url)).toBe(GiB)
      expect(await server.storedSha256(url)).toBe(big.sha256)
    }
  }, 600_000)
})
