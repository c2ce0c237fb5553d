import { copyFile, mkdtemp, rm, utimes } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page, Worker } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './helpers/browser.js'
import { fetchSha, headOffset, MiB, makeFile } from './helpers/files.js'
import { phaseOf, row, until, waitForPhase } from './helpers/page.js'
import { startProxy, type ThrottleProxy } from './helpers/proxy.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// Resume by content in Chromium, through the built demo (`?identity=1`): the page hashes each file
// (sha256-4m, Web Workers from the published build, "Hashing n %" in the list), half of it goes up,
// the page reloads, and the same bytes picked under another name and date resume the unfinished
// upload from the server's offset.
const SIZE = 24 * MiB
const CHUNK = 1 * MiB
const RATE = 4 * MiB

let tmp: string
let server: RunningServer
let proxy: ThrottleProxy
let browser: Browser
let page: Page
const workers: Worker[] = []
const closed = new Set<Worker>()

const pathOf = (url: string) => new URL(url).pathname
const sentTo = (url: string) => proxy.patchBytes.get(pathOf(url)) ?? 0

/** Records every status label the list shows from now on (hashing is over in tens of ms). */
const watchLabels = () =>
  page.evaluate(() => {
    const w = window as unknown as { labels: string[] }
    w.labels = []
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('.shuttle-file-list__status'))
        w.labels.push(el.textContent?.trim() ?? '')
    }).observe(document.body, { subtree: true, childList: true, characterData: true })
  })
const labels = () => page.evaluate(() => (window as unknown as { labels: string[] }).labels)

async function openDemo() {
  await page.goto(`${proxy.origin}/?identity=1&chunk=${CHUNK}&concurrency=1`)
  await page.locator('.shuttle-upload').waitFor()
}

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-content-'))
  server = await startServer(join(tmp, 'uploads'))
  proxy = await startProxy(server.origin, RATE)
  browser = await launchChromium()
  page = await browser.newPage()
  page.on('worker', (w) => {
    workers.push(w)
    w.on('close', () => closed.add(w))
  })
  await openDemo()
})

afterAll(async () => {
  await browser?.close()
  await proxy?.close()
  await server?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('resume by content (Chromium)', () => {
  it('a renamed copy picked after a reload resumes from the server offset, one chunk re-sent at most', async () => {
    const original = await makeFile(tmp, 'holiday.mov', SIZE)
    await watchLabels()
    await page.locator('input[type="file"]').setInputFiles([original.path])
    await until('half of holiday.mov on the server', () => {
      const up = proxy.created.find((c) => c.filename === 'holiday.mov')
      return up !== undefined && sentTo(up.url) > SIZE / 2
    })
    const url = proxy.created.find((c) => c.filename === 'holiday.mov')?.url ?? ''
    // The identity was hashed by Web Workers of the built package, shown as "Hashing n %", and the
    // workers are gone once it was done.
    expect(workers.map((w) => w.url()).some((u) => /identity-worker/.test(u))).toBe(true)
    expect(workers.length).toBeGreaterThan(0)
    await until('every identity worker closed', () => workers.every((w) => closed.has(w)))
    expect((await labels()).some((l) => /^Hashing \d+ %$/.test(l))).toBe(true)

    await page.reload()
    await page.locator('.shuttle-upload').waitFor()
    const atReload = (await headOffset(url)).offset ?? 0
    expect(atReload).toBeGreaterThan(SIZE / 2 - CHUNK)
    expect(atReload).toBeLessThan(SIZE)
    const sentBefore = sentTo(url)

    // The same bytes under another name, dated a day later: its fingerprint is new.
    const renamed = join(tmp, 'IMG_0001 copy.mov')
    await copyFile(original.path, renamed)
    const later = new Date(Date.now() + 86_400_000)
    await utimes(renamed, later, later)
    const created = proxy.created.length
    await page.locator('input[type="file"]').setInputFiles([renamed])
    await waitForPhase(page, 'IMG_0001 copy.mov', 'completed')
    expect(await phaseOf(page, 'IMG_0001 copy.mov')).toBe('completed')
    expect(proxy.created.length).toBe(created)
    const resent = sentTo(url) - sentBefore - (SIZE - atReload)
    expect(resent).toBeLessThanOrEqual(CHUNK)
    expect((await fetchSha(url)).sha).toBe(original.sha)
  })

  it('a pause while hashing terminates the workers and creates nothing', async () => {
    const big = await makeFile(tmp, 'big.iso', 512 * MiB)
    const before = workers.length
    const created = proxy.created.length
    await page.locator('input[type="file"]').setInputFiles([big.path])
    await row(page, 'big.iso')
      .locator('.shuttle-file-list__status', { hasText: /Hashing \d+ %/ })
      .waitFor()
    await row(page, 'big.iso').locator('.is-pause').click()
    await waitForPhase(page, 'big.iso', 'paused')
    expect(workers.length).toBeGreaterThan(before)
    await until('the hashing workers closed', () => workers.every((w) => closed.has(w)), 10_000)
    expect(proxy.created.length).toBe(created)
    expect(await row(page, 'big.iso').locator('.shuttle-file-list__status').textContent()).not.toMatch(
      /Hashing/,
    )
  })
})
