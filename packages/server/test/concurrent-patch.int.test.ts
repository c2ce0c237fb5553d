// Two PATCHes on one upload never interleave bytes, and a PATCH cut mid-body leaves exactly the
// prefix it delivered. The stored file is compared byte for byte with what each request sent.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  downloadSha256,
  type RawResponse,
  rawRequest,
  type StreamingRequest,
  streamingRequest,
  TUS_HEADERS,
} from './helpers/http.js'
import { firstDifference, MiB, Pattern } from './helpers/pattern.js'
import { startServer, type TestServer } from './helpers/server.js'
import {
  createUpload,
  expectServerHealthy,
  headUpload,
  offsetOf,
  PATCH_HEADERS,
} from './helpers/tus-client.js'

let s: TestServer

beforeAll(async () => {
  s = await startServer()
})
afterAll(async () => {
  await s?.close()
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const diskSize = async (id: string) => (await stat(path.join(s.dir, id))).size

/** Starts a PATCH that sends `pattern` bytes [from, to) — pattern byte x always goes to file offset x. */
function startPatch(
  url: string,
  pattern: Pattern,
  from: number,
  to: number,
  opts: { chunk?: number; delayMs?: number } = {},
): StreamingRequest {
  return streamingRequest({
    method: 'PATCH',
    url,
    headers: { ...PATCH_HEADERS, 'Upload-Offset': String(from), 'Content-Length': String(to - from) },
    body: pattern.chunks(from, to, opts.chunk ?? 64 * 1024),
    delayMs: opts.delayMs,
  })
}

/** Waits until the data file stops growing (no write in flight), then returns its size. */
async function settle(id: string, quietMs = 300, maxMs = 15_000): Promise<number> {
  const deadline = Date.now() + maxMs
  let last = await diskSize(id)
  for (;;) {
    await sleep(quietMs)
    const now = await diskSize(id)
    if (now === last) return now
    if (Date.now() > deadline) throw new Error(`data file of ${id} still growing after ${maxMs} ms`)
    last = now
  }
}

async function waitForDisk(id: string, atLeast: number, maxMs = 20_000): Promise<number> {
  const deadline = Date.now() + maxMs
  for (;;) {
    const size = await diskSize(id)
    if (size >= atLeast) return size
    if (Date.now() > deadline) throw new Error(`data file of ${id} stayed at ${size} < ${atLeast}`)
    await sleep(20)
  }
}

/** The stored bytes must equal `expected` exactly; reports the first differing offset. */
async function expectStored(id: string, expected: Buffer): Promise<void> {
  const stored = await readFile(path.join(s.dir, id))
  const at = firstDifference(stored, expected)
  expect(
    at,
    `stored ${stored.length} bytes vs expected ${expected.length}; first difference at byte ${at}`,
  ).toBe(-1)
}

const statusOf = (r: { response?: RawResponse; error?: Error }) => r.response?.status ?? 0
const describeResult = (r: { response?: RawResponse; error?: Error }) =>
  r.response
    ? `${r.response.status} ${r.response.body.slice(0, 200)}`
    : `connection error: ${r.error?.message}`

describe('two PATCHes on one upload', () => {
  it('B at offset 0 while A streams: B is refused (offset is stale), the file is a prefix of A only', async () => {
    const size = 64 * MiB
    const A = new Pattern(0xa11ce, size)
    const B = new Pattern(0xb0b, size)
    const { url, id } = await createUpload(s.endpoint, { length: size })
    const a = startPatch(url, A, 0, size, { delayMs: 4 })
    await waitForDisk(id, MiB)

    const b = startPatch(url, B, 0, 4 * MiB)
    const bResult = await b.result
    console.log(`B at offset 0 while A streams: B ${describeResult(bResult)}`)
    // A was asked to release (or B timed out on the lock): either way B's bytes must not land at 0.
    expect([409, 423], `B: ${describeResult(bResult)}`).toContain(statusOf(bResult))
    if (statusOf(bResult) === 409) expect(bResult.response!.body).toMatch(/offset/i)

    a.destroy()
    const aResult = await a.result
    const stored = await settle(id)
    expect(await offsetOf(url)).toBe(stored)
    expect(stored).toBeGreaterThanOrEqual(MiB)
    expect(stored).toBeLessThanOrEqual(a.sent)
    await expectStored(id, A.slice(0, stored))
    if (aResult.response?.status === 204) expect(stored).toBe(size)
  })

  it('B at the current offset while A is stalled: A is released, B continues exactly where A stopped', async () => {
    const size = 16 * MiB
    const A = new Pattern(0xa2, size)
    const B = new Pattern(0xb2, size)
    const { url, id } = await createUpload(s.endpoint, { length: size })
    const a = startPatch(url, A, 0, size, { chunk: 64 * 1024, delayMs: 2 })
    await a.waitSent(3 * MiB + 12_345)
    a.pause() // A keeps its connection open but sends nothing more
    const n = await settle(id)
    expect(await offsetOf(url), 'HEAD offset while A holds the upload').toBe(n)

    const bEnd = n + 4 * MiB
    const b = startPatch(url, B, n, bEnd)
    const bResult = await b.result
    expect(statusOf(bResult), `B: ${describeResult(bResult)}`).toBe(204)
    expect(bResult.response!.headers['upload-offset']).toBe(String(bEnd))

    // A wakes up and tries to go on sending: none of it may land anywhere.
    a.resume()
    const aResult = await Promise.race([a.result, sleep(3000).then(() => undefined)])
    a.destroy()
    if (aResult?.response) expect(aResult.response.status, describeResult(aResult)).not.toBe(204)
    await sleep(300)
    expect(await settle(id)).toBe(bEnd)
    expect(await offsetOf(url)).toBe(bEnd)
    await expectStored(id, Buffer.concat([A.slice(0, n), B.slice(n, bEnd)]))

    // And the upload can be finished from there, byte-identical.
    const c = startPatch(url, B, bEnd, size, { chunk: MiB })
    const cResult = await c.result
    expect(statusOf(cResult), describeResult(cResult)).toBe(204)
    const got = await downloadSha256(url)
    expect(got.status).toBe(200)
    expect(got.size).toBe(size)
    const h = createHash('sha256')
    for (const chunk of A.chunks(0, n)) h.update(chunk)
    for (const chunk of B.chunks(n, size)) h.update(chunk)
    expect(got.sha256).toBe(h.digest('hex'))
  })

  it('A and B start at offset 0 at the same moment: the file is one writer’s prefix, never a mix', async () => {
    const size = 8 * MiB
    const A = new Pattern(0xa3, size)
    const B = new Pattern(0xb3, size)
    const { url, id } = await createUpload(s.endpoint, { length: size })
    const a = startPatch(url, A, 0, size, { chunk: 256 * 1024 })
    const b = startPatch(url, B, 0, size, { chunk: 256 * 1024 })
    const [aResult, bResult] = await Promise.all([a.result, b.result])
    const stored = await settle(id)
    console.log(`simultaneous: stored ${stored}; A ${describeResult(aResult)}; B ${describeResult(bResult)}`)
    expect(await offsetOf(url)).toBe(stored)
    const file = await readFile(path.join(s.dir, id))
    const isA = firstDifference(file, A.slice(0, stored)) === -1
    const isB = firstDifference(file, B.slice(0, stored)) === -1
    expect(
      isA || isB,
      `stored ${stored} bytes are neither a prefix of A nor of B (A: ${describeResult(aResult)}; B: ${describeResult(bResult)})`,
    ).toBe(true)
    // A writer told 204 owns the whole file; at most one can be.
    for (const [r, mine] of [
      [aResult, isA],
      [bResult, isB],
    ] as const) {
      if (statusOf(r) === 204) {
        expect(mine).toBe(true)
        expect(r.response!.headers['upload-offset']).toBe(String(stored))
      }
    }
    expect(statusOf(aResult) === 204 && statusOf(bResult) === 204).toBe(false)
  })

  it('a PATCH whose connection is destroyed mid-body keeps exactly the prefix it delivered, then finishes', async () => {
    const size = 24 * MiB
    const P = new Pattern(0xd3, size)
    const { url, id } = await createUpload(s.endpoint, { length: size })
    const a = startPatch(url, P, 0, size, { chunk: 64 * 1024, delayMs: 1 })
    await a.waitSent(5 * MiB + 54_321)
    a.destroy()
    const aResult = await a.result
    expect(aResult.error, 'the client saw its own abort').toBeDefined()
    const stored = await settle(id)
    const offset = await offsetOf(url)
    expect(offset).toBe(stored)
    expect(offset).toBeLessThanOrEqual(a.sent)
    expect(offset).toBeGreaterThan(0)
    await expectStored(id, P.slice(0, offset))

    const rest = startPatch(url, P, offset, size, { chunk: MiB })
    const restResult = await rest.result
    expect(statusOf(restResult), describeResult(restResult)).toBe(204)
    expect(restResult.response!.headers['upload-offset']).toBe(String(size))
    const got = await downloadSha256(url)
    expect(got.status).toBe(200)
    expect(got.size).toBe(size)
    expect(got.sha256).toBe(P.sha256())
  })

  it('DELETE while a PATCH streams: the PATCH stops, the upload is gone and nothing is written back', async () => {
    const size = 32 * MiB
    const A = new Pattern(0xde1, size)
    const { url, id } = await createUpload(s.endpoint, { length: size })
    const a = startPatch(url, A, 0, size, { delayMs: 2 })
    await waitForDisk(id, MiB)
    const del = await rawRequest({ method: 'DELETE', url, headers: { ...TUS_HEADERS } })
    expect(del.status, del.body).toBe(204)
    const aResult = await Promise.race([a.result, sleep(5000).then(() => undefined)])
    a.destroy()
    if (aResult?.response) expect(aResult.response.status, describeResult(aResult)).not.toBe(204)
    await sleep(500) // let any write still in flight land (it must not)
    const head = await headUpload(url)
    expect([404, 410]).toContain(head.status)
    expect(existsSync(path.join(s.dir, id)), 'data file left behind').toBe(false)
    expect(existsSync(path.join(s.dir, `${id}.json`)), 'info file left behind').toBe(false)
    expect(existsSync(path.join(s.dir, `${id}.chunk`)), 'chunk file left behind').toBe(false)
    await expectServerHealthy(s.endpoint)
  })

  it('six writers racing HEAD-then-PATCH (with backoff) on one upload: the file is a chain of whole runs, each from a PATCH start', async () => {
    const size = 32 * MiB
    const writers = Array.from({ length: 6 }, (_, i) => new Pattern(0x5000 + i, size))
    const { url, id } = await createUpload(s.endpoint, { length: size })
    /** Every Upload-Offset some writer PATCHed from, per writer. */
    const starts = writers.map(() => new Set<number>())
    const statuses: Record<string, number> = {}
    let done = false
    const deadline = Date.now() + 60_000

    async function writer(w: number): Promise<void> {
      const pattern = writers[w]!
      while (!done && Date.now() < deadline) {
        const head = await headUpload(url)
        const offset = Number(head.headers['upload-offset'])
        if (offset >= size) {
          done = true
          return
        }
        const end = Math.min(size, offset + (1 + ((w + offset) % 4)) * MiB)
        starts[w]!.add(offset)
        const r = await startPatch(url, pattern, offset, end, { chunk: 64 * 1024, delayMs: w % 3 }).result
        const key = r.response ? String(r.response.status) : 'conn-error'
        statuses[key] = (statuses[key] ?? 0) + 1
        if (r.response && ![204, 409, 423].includes(r.response.status)) {
          throw new Error(`writer ${w} got ${describeResult(r)}`)
        }
        // Like a real client: back off with jitter after losing the upload to someone else.
        // (With no backoff at all, 6 writers livelock: each new holder is told to release at once.)
        if (r.response?.status !== 204) await sleep(20 + Math.floor(Math.random() * 200))
      }
    }
    await Promise.all(writers.map((_, w) => writer(w)))
    console.log(`six writers: PATCH outcomes ${JSON.stringify(statuses)}`)
    expect(await offsetOf(url)).toBe(size)
    const file = await readFile(path.join(s.dir, id))
    expect(file.length).toBe(size)

    // Reachability over run boundaries: from a PATCH start p of writer w, the file matches w's
    // pattern up to e; the next run may start at any PATCH start in (p, e]. Valid iff size is reached.
    const allStarts = [...new Set(starts.flatMap((set) => [...set]))].sort((a, b) => a - b)
    const matchEnd = (w: number, p: number): number => {
      const d = firstDifference(file.subarray(p), writers[w]!.slice(p, size))
      return d === -1 ? size : p + d
    }
    const reachable = new Set<number>([0])
    let complete = false
    for (const p of allStarts) {
      if (!reachable.has(p)) continue
      for (let w = 0; w < writers.length; w++) {
        if (!starts[w]!.has(p)) continue
        const e = matchEnd(w, p)
        if (e === size) complete = true
        for (const q of allStarts) if (q > p && q <= e) reachable.add(q)
      }
    }
    expect(complete, 'the stored file is not a chain of whole runs starting at PATCH offsets').toBe(true)
    const got = await downloadSha256(url)
    expect(got.sha256).toBe(createHash('sha256').update(file).digest('hex'))
  })
})
