import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './helpers/browser.js'
import { MiB, makeFile } from './helpers/files.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// The identity Web Workers of the built package in Chromium, on disk-backed Files whose sizes fall
// on and off the 4 MiB blocks and the 64 MiB segments the workers stream, with 1 to 3 workers: the
// identity equals sha256-4m written out here over the same bytes, and workers did the hashing.
const B = 4 * MiB
const SIZES = [2 * B, 2 * B + 3, 3 * B - 1, 16 * B, 17 * B + 5, 33 * B + B / 2]

/** sha256 over each 4 MiB block's digest, itself the sha256 over its 512 KiB leaves' sha256s. */
const expected = (bytes: Buffer): string => {
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest()
  const overParts = (b: Uint8Array, size: number, digest: (part: Uint8Array) => Buffer) => {
    const parts: Buffer[] = []
    for (let at = 0; at < b.length; at += size) parts.push(digest(b.subarray(at, at + size)))
    return sha(Buffer.concat(parts))
  }
  return overParts(bytes, B, (block) => overParts(block, MiB / 2, sha)).toString('hex')
}

let tmp: string
let server: RunningServer
let browser: Browser
let page: Page

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-idw-'))
  server = await startServer(join(tmp, 'uploads'))
  browser = await launchChromium()
  page = await browser.newPage()
  await page.goto(`${server.origin}/engine.html`)
  await page.locator('body[data-ready="true"]').waitFor()
  await page.evaluate(() => {
    const input = document.createElement('input')
    input.type = 'file'
    input.id = 'f'
    document.body.append(input)
  })
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('identity Web Workers in Chromium', () => {
  it.each(SIZES)(
    'hash a %i B File to sha256-4m with 1, 2 and 3 workers',
    async (size) => {
      const file = await makeFile(tmp, `f${size}.bin`, size)
      const want = expected(await readFile(file.path))
      await page.setInputFiles('#f', file.path)
      for (const workers of [1, 2, 3]) {
        const got = await page.evaluate(async (workers) => {
          const f = (document.getElementById('f') as HTMLInputElement).files?.[0] as File
          const hasher = window.shuttle.createBrowserIdentityHasher({ workers, workerThreshold: 0 })
          let most = 0
          const progress: number[] = []
          const id = await hasher.hash({
            source: {
              info: { name: f.name, type: f.type, size: f.size },
              body: (start: number, end: number) => f.slice(start, end),
              read: async (start: number, end: number) =>
                new Uint8Array(await f.slice(start, end).arrayBuffer()),
              close: async () => {},
            },
            signal: new AbortController().signal,
            onProgress: (n) => {
              progress.push(n)
              most = Math.max(most, hasher.workers)
            },
          })
          const hex = [...id].map((b) => b.toString(16).padStart(2, '0')).join('')
          return { hex, most, after: hasher.workers, last: progress.at(-1), calls: progress.length }
        }, workers)
        expect(got.hex, `${workers} worker(s)`).toBe(want)
        expect(got.most).toBeGreaterThan(0)
        expect(got.most).toBeLessThanOrEqual(workers)
        expect(got.after).toBe(0)
        expect(got.last).toBe(size)
        expect(got.calls).toBe(Math.ceil(size / B))
      }
    },
    120_000,
  )
})
