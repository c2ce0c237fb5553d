import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './helpers/browser.js'
import { MiB, makeFile } from './helpers/files.js'
import { row, until, waitForPhase } from './helpers/page.js'
import { startProxy, type ThrottleProxy } from './helpers/proxy.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// The demo mid-batch at 1280 px and 390 px, light and dark: dark from the OS preference
// (prefers-color-scheme) and from the explicit theme prop (?theme=), nothing cut or overflowing at
// 390 px, sizes labelled in binary units. Screenshots in e2e/screenshots/looks-*.png.
const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url))

let tmp: string
let server: RunningServer
let proxy: ThrottleProxy
let browser: Browser
let files: Array<{ path: string }>

beforeAll(async () => {
  assertBuilt()
  await mkdir(SHOTS, { recursive: true })
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-looks-'))
  server = await startServer(join(tmp, 'uploads'))
  proxy = await startProxy(server.origin, 1 * MiB)
  browser = await launchChromium()
  files = [
    await makeFile(tmp, 'notes.txt', 200 * 1024),
    await makeFile(tmp, 'quarterly-report-final-v3-approved.pdf', 48 * MiB),
    await makeFile(tmp, 'interview-4k.mp4', 64 * MiB),
  ]
})

afterAll(async () => {
  await browser?.close()
  await proxy?.close()
  await server?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

/** Background colour of an element as [r, g, b]. */
async function bg(page: Page, selector: string): Promise<number[]> {
  const c = await page
    .locator(selector)
    .first()
    .evaluate((el) => getComputedStyle(el).backgroundColor)
  return (c.match(/\d+/g) ?? []).slice(0, 3).map(Number)
}
const isDark = (rgb: number[]) => rgb.reduce((a, b) => a + b, 0) / 3 < 80

async function batch(width: number, colorScheme: 'light' | 'dark', query = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 }, colorScheme, deviceScaleFactor: 1 })
  await page.goto(`${proxy.origin}/?chunk=${512 * 1024}&concurrency=2${query}`)
  await page.locator('.shuttle-upload').waitFor()
  await page.locator('input[type="file"]').setInputFiles(files.map((f) => f.path))
  await waitForPhase(page, 'notes.txt', 'completed')
  await until('both big files moving', async () => (await page.locator('.is-phase-uploading').count()) === 2)
  await page.getByRole('button', { name: 'Pause interview-4k.mp4' }).click()
  await waitForPhase(page, 'interview-4k.mp4', 'paused')
  await until('a speed shown', async () => (await page.locator('.shuttle-file-list__detail').count()) > 0)
  return page
}

describe('looks (Chromium)', () => {
  for (const width of [1280, 390]) {
    for (const scheme of ['light', 'dark'] as const) {
      it(`${width} px, ${scheme} (prefers-color-scheme)`, async () => {
        const page = await batch(width, scheme)
        const upload = await bg(page, '.shuttle-file-list__item')
        const card = await bg(page, '.demo__card')
        expect(isDark(upload), `row background ${upload}`).toBe(scheme === 'dark')
        expect(isDark(card), `card background ${card}`).toBe(scheme === 'dark')
        // Binary sizes, labelled as such.
        const meta = await row(page, 'interview-4k.mp4').locator('.shuttle-file-list__meta').textContent()
        expect(meta).toContain('64 MiB')
        // Nothing wider than the viewport; each row's name stays on one line (ellipsis, not wrap).
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width)
        for (const item of await page.locator('.shuttle-file-list__item').all()) {
          const box = await item.boundingBox()
          expect(box!.x + box!.width).toBeLessThanOrEqual(width)
          const name = item.locator('.shuttle-file-list__name')
          const h = await name.evaluate((el) => el.getBoundingClientRect().height)
          const lh = await name.evaluate((el) => Number.parseFloat(getComputedStyle(el).lineHeight) || 20)
          expect(h).toBeLessThan(lh * 1.8)
          // The meta line (size, percent, speed · time left) fits its row.
          const meta = item.locator('.shuttle-file-list__meta')
          expect(await meta.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true)
        }
        await page.mouse.move(0, 0)
        await page.screenshot({ path: join(SHOTS, `looks-${width}-${scheme}.png`), fullPage: true })
        await page.close()
      })
    }
  }

  it('the theme prop wins over the OS: ?theme=dark on a light OS, ?theme=light on a dark one', async () => {
    for (const [scheme, theme] of [
      ['light', 'dark'],
      ['dark', 'light'],
    ] as const) {
      const page = await browser.newPage({ viewport: { width: 800, height: 600 }, colorScheme: scheme })
      await page.goto(`${proxy.origin}/?theme=${theme}`)
      await page.locator('.shuttle-upload').waitFor()
      expect(await page.locator(`.shuttle-upload.shuttle-theme-${theme}`).count()).toBe(1)
      expect(isDark(await bg(page, '.shuttle-dragger'))).toBe(theme === 'dark')
      expect(isDark(await bg(page, '.demo__card'))).toBe(theme === 'dark')
      await page.close()
    }
  })
})
