import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './helpers/browser.js'
import { fetchSha, MiB } from './helpers/files.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// What checksummed uploads leave in Chromium's blob storage, in an off-the-record context (what
// Playwright gives, and incognito windows): there is no disk to page to, so every copy counts
// against the quota. A Blob.slice() of an in-memory Blob is such a copy until a GC drops it; the
// engine once made two per chunk, ran out the quota (ERR_OUT_OF_MEMORY in chrome://blob-internals)
// and every read failed with NotReadableError. chrome://blob-internals is read while the files go.
const SIZE = 40 * MiB
const CHUNK = 2 * MiB

let tmp: string
let server: RunningServer
let browser: Browser
let context: BrowserContext
let page: Page

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-blob-memory-'))
  server = await startServer(join(tmp, 'uploads'))
  browser = await launchChromium()
  context = await browser.newContext()
  page = await context.newPage()
  await page.goto(`${server.origin}/engine.html`)
  await page.locator('body[data-ready="true"]').waitFor()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

/** Bytes of every blob chrome://blob-internals lists, and whether any failed to build. */
async function blobStorage(probe: Page): Promise<{ bytes: number; broken: number }> {
  await probe.goto('chrome://blob-internals')
  const text = await probe.evaluate(() => document.body.innerText)
  const bytes = [...text.matchAll(/Length: ([\d,]+)/g)].reduce(
    (n, m) => n + Number((m[1] as string).replace(/,/g, '')),
    0,
  )
  return { bytes, broken: (text.match(/ERR_OUT_OF_MEMORY/g) ?? []).length }
}

describe('@shuttle/core in Chromium: checksummed Blob uploads and the blob storage quota', () => {
  it('three 40 MiB Blobs in 2 MiB chunks add no copies to the blob storage; bytes identical', async () => {
    const probe = await context.newPage()
    const run = page.evaluate(
      async ({ size, chunk }) => {
        const hex = (b: ArrayBuffer) =>
          Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('')
        const files = await Promise.all(
          [0, 1, 2].map(async () => {
            const bytes = new Uint8Array(size)
            for (let i = 0; i < size; i += 65536)
              crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)))
            return { blob: new Blob([bytes]), sha: hex(await crypto.subtle.digest('SHA-256', bytes)) }
          }),
        )
        document.body.dataset.blobs = 'made'
        const up = window.shuttle.createUploader({
          endpoint: new URL('/files/', location.href).href,
          chunkSize: chunk,
          maxConcurrentUploads: 3,
          // The upload path's reads are what this measures. Content identity (hashed first, since
          // our server offers instant upload) reads 4 MiB Blob slices in workers: for in-memory
          // Blobs those are copies too, +120 MiB here until collected; it has its own bench row.
          identity: false,
        })
        const ids = up.add(files.map((f, i) => ({ blob: f.blob, name: `mem-${i}.bin` })))
        const done = await Promise.all(
          ids.map(
            (id) =>
              new Promise<{ url: string; verified: boolean }>((ok, fail) => {
                up.on('completed', (p) => {
                  if (p.id === id) ok({ url: p.url, verified: p.verified !== undefined })
                })
                up.on('failed', (p) => {
                  if (p.id === id) fail(new Error(p.error.message))
                })
              }),
          ),
        )
        await up.destroy()
        return { done, shas: files.map((f) => f.sha) }
      },
      { size: SIZE, chunk: CHUNK },
    )
    let finished = false
    const result = run.finally(() => {
      finished = true
    })
    await page.locator('body[data-blobs="made"]').waitFor()
    // Sampled as often as the page can be read, until the uploads end.
    const samples: Array<{ bytes: number; broken: number }> = []
    while (!finished) samples.push(await blobStorage(probe))
    const r = await result
    const peak = Math.max(...samples.map((s) => s.bytes))
    console.info(
      `Chromium blob storage: ${samples.length} samples, peak ${(peak / MiB).toFixed(0)} MiB for 3 x ${SIZE / MiB} MiB of files`,
    )
    expect(samples.length).toBeGreaterThan(0)
    expect(samples.every((s) => s.broken === 0)).toBe(true)
    // The three files themselves, plus at most a few chunks in flight.
    expect(peak).toBeLessThanOrEqual(3 * SIZE + 4 * CHUNK)
    for (const [i, f] of r.done.entries()) {
      expect(f.verified).toBe(true)
      const got = await fetchSha(f.url)
      expect(got.size).toBe(SIZE)
      expect(got.sha).toBe(r.shas[i])
    }
  })
})
