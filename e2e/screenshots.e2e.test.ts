import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './helpers/browser.js'
import { MiB, makeFile } from './helpers/files.js'
import { until, waitForPhase } from './helpers/page.js'
import { startProxy, type ThrottleProxy } from './helpers/proxy.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// The demo mid-batch (finished images, one paused file, others moving) in each list type, saved to
// e2e/screenshots/ for people to look at.
const OUT = fileURLToPath(new URL('./screenshots/', import.meta.url))

let tmp: string
let server: RunningServer
let proxy: ThrottleProxy
let browser: Browser
let page: Page

/** Draws a few pictures on a canvas in the page and drops them, so thumbnails have something to show. */
async function dropImages(p: Page): Promise<void> {
  await p.evaluate(async () => {
    const palettes = [
      ['sunset.png', '#f97316', '#7c3aed'],
      ['lagoon.png', '#06b6d4', '#1e3a8a'],
      ['meadow.png', '#84cc16', '#0f766e'],
    ] as const
    const dt = new DataTransfer()
    for (const [name, a, b] of palettes) {
      const c = document.createElement('canvas')
      c.width = 480
      c.height = 360
      const g = c.getContext('2d')!
      const grad = g.createLinearGradient(0, 0, 480, 360)
      grad.addColorStop(0, a)
      grad.addColorStop(1, b)
      g.fillStyle = grad
      g.fillRect(0, 0, 480, 360)
      g.fillStyle = 'rgba(255,255,255,0.85)'
      g.beginPath()
      g.arc(340, 110, 48, 0, Math.PI * 2)
      g.fill()
      g.fillStyle = 'rgba(15,23,42,0.35)'
      g.beginPath()
      g.moveTo(0, 360)
      g.lineTo(170, 170)
      g.lineTo(300, 300)
      g.lineTo(380, 220)
      g.lineTo(480, 360)
      g.fill()
      const blob = await new Promise<Blob>((ok) => c.toBlob((x) => ok(x!), 'image/png'))
      dt.items.add(new File([blob], name, { type: 'image/png' }))
    }
    document
      .querySelector('.shuttle-dragger')!
      .dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true }))
  })
}

beforeAll(async () => {
  assertBuilt()
  await mkdir(OUT, { recursive: true })
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-shots-'))
  server = await startServer(join(tmp, 'uploads'))
  proxy = await startProxy(server.origin, 1.5 * MiB)
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1100, height: 1000 }, deviceScaleFactor: 1 })
  await page.goto(`${proxy.origin}/?chunk=${512 * 1024}`)
  await page.locator('.shuttle-upload').waitFor()
})

afterAll(async () => {
  await browser?.close()
  await proxy?.close()
  await server?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('demo screenshots', () => {
  it('renders text, picture and picture-card list types like a product', async () => {
    await dropImages(page)
    for (const name of ['sunset.png', 'lagoon.png', 'meadow.png'])
      await waitForPhase(page, name, 'completed', 60_000)
    const big = [
      await makeFile(tmp, 'quarterly-report.pdf', 24 * MiB),
      await makeFile(tmp, 'interview-4k.mp4', 48 * MiB),
      await makeFile(tmp, 'dataset-2026.csv', 36 * MiB),
    ]
    await page.locator('input[type="file"]').setInputFiles(big.map((f) => f.path))
    await until(
      'uploads under way',
      async () => (await page.locator('.shuttle-file-list .is-phase-uploading').count()) === 3,
    )
    await page.waitForTimeout(1500)
    await page.getByRole('button', { name: 'Pause interview-4k.mp4' }).click()
    await waitForPhase(page, 'interview-4k.mp4', 'paused')
    await page.waitForTimeout(1200)

    for (const [type, label] of [
      ['text', 'List'],
      ['picture', 'Thumbnails'],
      ['picture-card', 'Cards'],
    ] as const) {
      await page.getByRole('radio', { name: label }).click()
      await page.locator(`.shuttle-upload--${type}`).waitFor()
      await page.mouse.move(0, 0)
      await page.waitForTimeout(250)
      const path = join(OUT, `demo-${type}.png`)
      await page.screenshot({ path, fullPage: true })
      expect((await stat(path)).size).toBeGreaterThan(10_000)
    }
    expect(await page.locator('.shuttle-file-list--picture-card img.shuttle-file-list__thumb').count()).toBe(
      3,
    )
    await page.locator('.shuttle-btn.is-remove').first().focus()
    await page.screenshot({ path: join(OUT, 'demo-picture-card-focus.png'), fullPage: true })
  })
})
