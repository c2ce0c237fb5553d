import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { launchChromium } from './helpers/browser.js'
import { fetchSha, MiB, makeFile } from './helpers/files.js'
import { until, waitForPhase } from './helpers/page.js'
import { startProxy, type ThrottleProxy } from './helpers/proxy.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// DevTools must stay clean in normal use: pausing, resuming, canceling and reloading mid-upload
// never leave a red line in the console or a failed response (e.g. 423 Locked because the request
// aborted by a pause still held the upload when the resume arrived). Requests the engine aborts on
// purpose show as "(canceled)" in DevTools, not as errors, and are not counted.
const SIZE = 24 * MiB
const CHUNK = 1 * MiB
const RATE = 4 * MiB

let tmp: string
let server: RunningServer
let proxy: ThrottleProxy
let browser: Browser
let page: Page
let noise: string[] = []

const sentFor = (filename: string) => {
  const u = proxy.created.findLast((c) => c.filename === filename)
  return u ? (proxy.patchBytes.get(new URL(u.url).pathname) ?? 0) : 0
}
/** What passed the proxy, in answer order, for a failure's message: which request met which. */
const requestLog = () => proxy.requests.map((r) => `${r.method} ${r.path} → ${r.status}`).join('\n')
const uploadOf = (filename: string) => proxy.created.filter((c) => c.filename === filename).at(-1)?.url

function watch(p: Page) {
  p.on('console', (m) => {
    if (m.type() === 'error') noise.push(`console: ${m.text()}`)
  })
  p.on('pageerror', (e) => noise.push(`pageerror: ${e.message}`))
  p.on('response', (r) => {
    if (r.status() >= 400) noise.push(`${r.request().method()} ${r.url()} → ${r.status()}`)
  })
  p.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? ''
    if (why !== 'net::ERR_ABORTED') noise.push(`${r.method()} ${r.url()} failed: ${why}`)
  })
}

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-noise-'))
  server = await startServer(join(tmp, 'uploads'))
  proxy = await startProxy(server.origin, RATE)
  browser = await launchChromium()
})

// A fresh page (its own context: empty IndexedDB) per attempt, so CI's one retry starts clean.
beforeEach(async () => {
  noise = []
  page = await browser.newPage({ viewport: { width: 1180, height: 900 } })
  watch(page)
  await page.goto(`${proxy.origin}/?chunk=${CHUNK}`)
  await page.locator('.shuttle-upload').waitFor()
})

afterEach(async () => {
  await page?.context().close()
})

afterAll(async () => {
  await browser?.close()
  await proxy?.close()
  await server?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('no red console noise (Chromium)', () => {
  it('pause → resume (twice, at once), cancel, reload and pick again: no console error, no failed response', async () => {
    const a = await makeFile(tmp, 'alpha.bin', SIZE)
    const b = await makeFile(tmp, 'bravo.bin', SIZE)
    await page.locator('input[type="file"]').setInputFiles([a.path, b.path])
    await until('alpha mid-upload', () => sentFor('alpha.bin') > 3 * MiB)

    // Resume right after pause: the aborted PATCH may still hold the upload on the server.
    for (let i = 0; i < 2; i++) {
      await page.getByRole('button', { name: 'Pause alpha.bin' }).click()
      await waitForPhase(page, 'alpha.bin', 'paused')
      await page.getByRole('button', { name: 'Resume alpha.bin' }).click()
      const at = sentFor('alpha.bin')
      await until('alpha moving again', () => sentFor('alpha.bin') > at + CHUNK).catch((err: Error) => {
        throw new Error(`${err.message}; requests so far:\n${requestLog()}`)
      })
    }
    // Cancel mid-PATCH: the DELETE meets the PATCH's lock.
    await until('bravo mid-upload', () => sentFor('bravo.bin') > 3 * MiB)
    await page.getByRole('button', { name: 'Cancel bravo.bin' }).click()
    await waitForPhase(page, 'bravo.bin', 'canceled')
    // The engine forgets bravo's checkpoint, then deletes the upload: once the DELETE is answered,
    // nothing the reload restores points at it.
    const bravo = new URL(uploadOf('bravo.bin')!).pathname
    await until('bravo deleted on the server', () =>
      proxy.requests.some((r) => r.method === 'DELETE' && r.path === bravo && r.status === 204),
    )

    // Reload mid-upload, pick alpha again: it resumes from the server's offset.
    await page.reload()
    await page.locator('.shuttle-upload').waitFor()
    await page.locator('input[type="file"]').setInputFiles([a.path])
    await waitForPhase(page, 'alpha.bin', 'completed')
    expect((await fetchSha(uploadOf('alpha.bin')!)).sha).toBe(a.sha)
    expect(noise, requestLog()).toEqual([])
  })
})
