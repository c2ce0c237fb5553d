import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, FileChooser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './helpers/browser.js'
import { MiB, makeFile } from './helpers/files.js'
import { phaseOf, waitForPhase } from './helpers/page.js'
import { startProxy, type ThrottleProxy } from './helpers/proxy.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// Keyboard only: Tab to the drop zone, Enter to pick, Tab to the file's Pause button, Enter;
// focus stays on the same button, now "Resume", and Enter resumes. No mouse anywhere.
let tmp: string
let server: RunningServer
let proxy: ThrottleProxy
let browser: Browser
let page: Page

const focused = () =>
  page.evaluate(() => {
    const el = document.activeElement
    if (el?.classList.contains('shuttle-upload__trigger')) return 'the upload trigger'
    return el?.getAttribute('aria-label') ?? ''
  })

/** Presses Tab until the element labelled `label` has focus (at most 60 presses). */
async function tabTo(label: string): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if ((await focused()) === label) return
    await page.keyboard.press('Tab')
  }
  throw new Error(`Tab never reached "${label}"`)
}

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-keys-'))
  server = await startServer(join(tmp, 'uploads'))
  proxy = await startProxy(server.origin, 2 * MiB)
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1000, height: 800 } })
  // The <input> picker (Firefox, Safari): Chromium's showOpenFilePicker opens a dialog Playwright
  // cannot answer; resume-reload.e2e.test.ts covers the handle picker.
  await page.addInitScript(() => {
    Object.defineProperty(window, 'showOpenFilePicker', { value: undefined, configurable: true })
  })
  await page.goto(`${proxy.origin}/?chunk=${512 * 1024}`)
  await page.locator('.shuttle-upload').waitFor()
})

afterAll(async () => {
  await browser?.close()
  await proxy?.close()
  await server?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('keyboard only (Chromium)', () => {
  it('picks a file, pauses and resumes it with Tab and Enter; focus stays on the toggled button', async () => {
    const f = await makeFile(tmp, 'keys.bin', 40 * MiB)
    const choosers: FileChooser[] = []
    page.on('filechooser', (c) => choosers.push(c))
    await tabTo('the upload trigger')
    await page.keyboard.press('Enter')
    await expect.poll(() => choosers.length).toBe(1)
    await choosers[0]!.setFiles([f.path])
    await waitForPhase(page, 'keys.bin', 'uploading')

    await tabTo('Pause keys.bin')
    await page.keyboard.press('Enter')
    await waitForPhase(page, 'keys.bin', 'paused')
    expect(await focused()).toBe('Resume keys.bin')
    await page.keyboard.press('Enter')
    await expect.poll(() => phaseOf(page, 'keys.bin')).not.toBe('paused')
    expect(await focused()).toBe('Pause keys.bin')
    // The focused control is visibly marked (focus ring), not only focused.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)
    expect(outline).not.toBe('none')
    await waitForPhase(page, 'keys.bin', 'completed')
  })
})
