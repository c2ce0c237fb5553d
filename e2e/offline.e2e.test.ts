import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, CDPSession, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './helpers/browser.js'
import { MiB, makeFile, sha256 } from './helpers/files.js'
import { row, until, waitForPhase } from './helpers/page.js'
import { startProxy, type ThrottleProxy } from './helpers/proxy.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// Offline for 30 s in the middle of a 5-file batch, by Chromium's own network emulation (CDP), as
// DevTools' "Offline" does: no file may fail, the offline notice must come and go, and every file
// must end byte-identical on the server's disk.
const NAMES = ['one.bin', 'two.bin', 'three.bin', 'four.bin', 'five.bin']
const SIZE = 8 * MiB
const CHUNK = 1 * MiB
const RATE = 4 * MiB // per PATCH, so the batch is still moving when the network goes
const OFFLINE_MS = 30_000

let tmp: string
let uploads: string
let server: RunningServer
let proxy: ThrottleProxy
let browser: Browser
let page: Page
let cdp: CDPSession

const offline = (on: boolean) =>
  cdp.send('Network.emulateNetworkConditions', {
    offline: on,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  })
const serverBytes = () => [...proxy.patchBytes.values()].reduce((a, b) => a + b, 0)

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-offline-'))
  uploads = join(tmp, 'uploads')
  server = await startServer(uploads)
  proxy = await startProxy(server.origin, RATE)
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1180, height: 900 } })
  cdp = await page.context().newCDPSession(page)
  await cdp.send('Network.enable')
  await page.goto(`${proxy.origin}/?chunk=${CHUNK}`)
  await page.locator('.shuttle-upload').waitFor()
  // Every phase any row ever shows, seen by the page itself: a 'failed' between two polls counts too.
  await page.evaluate(() => {
    const seen = new Set<string>()
    ;(window as unknown as { phasesSeen: Set<string> }).phasesSeen = seen
    const record = () => {
      for (const li of document.querySelectorAll('.shuttle-file-list__item')) {
        const m = /is-phase-(\w+)/.exec(li.className)
        if (m?.[1]) seen.add(m[1])
      }
    }
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['class'],
    })
  })
})

afterAll(async () => {
  await browser?.close()
  await proxy?.close()
  await server?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('offline in the middle of a batch (Chromium, CDP network emulation)', () => {
  it('5 files, 30 s offline: none fails, the notice comes and goes, all arrive byte-identical', async () => {
    const files = await Promise.all(NAMES.map((n) => makeFile(tmp, n, SIZE)))
    await page.locator('input[type="file"]').setInputFiles(files.map((f) => f.path))
    const notice = page.locator('.shuttle-upload__notice.is-offline')
    expect(await notice.count()).toBe(0)

    // In the middle: some bytes of the batch are on the server, most are not.
    await until('a third of the batch on the server', () => serverBytes() > (5 * SIZE) / 3)
    expect(serverBytes()).toBeLessThan(5 * SIZE * 0.8)
    const wentOffline = Date.now()
    await offline(true)

    await notice.waitFor({ timeout: 10_000 })
    expect(await notice.textContent()).toContain('You are offline')
    // The files that were moving now wait for the network, and say so.
    await until(
      'a file waiting for the network',
      async () => (await page.locator('.is-waiting-network').count()) > 0,
    )
    await expect
      .poll(() => page.locator('.is-waiting-network .shuttle-file-list__status').first().textContent())
      .toContain('Waiting for network')
    // Once the interrupted requests are gone, nothing reaches the server until the network is back.
    await until('requests in flight to end', async () => {
      const a = serverBytes()
      await new Promise((r) => setTimeout(r, 500))
      return a === serverBytes()
    })
    const bytesWhileOffline = serverBytes()
    expect(bytesWhileOffline).toBeLessThan(5 * SIZE)

    // The rest of the 30 s, watched: the notice stays, no file leaves its wait.
    while (Date.now() - wentOffline < OFFLINE_MS) {
      expect(await notice.count()).toBe(1)
      await new Promise((r) => setTimeout(r, 1000))
    }
    expect(serverBytes()).toBe(bytesWhileOffline)
    expect(await page.evaluate(() => navigator.onLine)).toBe(false)

    await offline(false)
    await notice.waitFor({ state: 'detached', timeout: 10_000 })
    for (const name of NAMES) await waitForPhase(page, name, 'completed', 60_000)

    const seen = await page.evaluate(() => [...(window as unknown as { phasesSeen: Set<string> }).phasesSeen])
    expect(seen).toContain('retrying')
    expect(seen).not.toContain('failed')
    // Each file's bytes as stored on the server's disk, against the bytes picked.
    for (const [i, name] of NAMES.entries()) {
      const upload = proxy.created.filter((c) => c.filename === name)
      expect(upload.length, `${name}: one upload, never re-created`).toBe(1)
      const id = new URL(upload[0]!.url).pathname.split('/').pop()!
      const stored = await readFile(join(uploads, id))
      expect(stored.length).toBe(SIZE)
      expect(sha256(stored), name).toBe(files[i]!.sha)
      expect(await row(page, name).getAttribute('class')).toContain('is-phase-completed')
    }
  })
})
