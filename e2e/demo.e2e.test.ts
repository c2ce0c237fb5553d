import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, FileChooser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './helpers/browser.js'
import { fetchSha, headOffset, MiB, makeFile } from './helpers/files.js'
import { dropGeneratedFile, phaseOf, row, until, waitForPhase } from './helpers/page.js'
import { startProxy, type ThrottleProxy } from './helpers/proxy.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// The demo as users get it: built app + CLI server, real Chromium, real engine. A proxy slows PATCH
// bodies so 30 MiB files are still mid-flight when the test pauses or reloads.
const SIZE = 30 * MiB
const CHUNK = 1 * MiB
const RATE = 6 * MiB
const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url))

let tmp: string
let uploads: string
let server: RunningServer
let proxy: ThrottleProxy
let browser: Browser
let page: Page

const uploadOf = (filename: string) => {
  const u = proxy.created.filter((c) => c.filename === filename).at(-1)
  if (!u) throw new Error(`no upload was created for ${filename}`)
  return u.url
}
const pathOf = (url: string) => new URL(url).pathname
const sentFor = (filename: string) => {
  const u = proxy.created.find((c) => c.filename === filename)
  return u ? (proxy.patchBytes.get(pathOf(u.url)) ?? 0) : 0
}

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-'))
  uploads = join(tmp, 'uploads')
  server = await startServer(uploads)
  proxy = await startProxy(server.origin, RATE)
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1180, height: 900 } })
  await page.goto(`${proxy.origin}/?chunk=${CHUNK}`)
  await page.locator('.shuttle-upload').waitFor()
})

afterAll(async () => {
  await browser?.close()
  await proxy?.close()
  await server?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('demo in Chromium', () => {
  it('uploads 3 picked + 1 dropped 30 MiB files; pausing one lets the others finish; all match by sha256', async () => {
    const picked = await Promise.all(
      ['alpha.bin', 'bravo.bin', 'charlie.bin'].map((n) => makeFile(tmp, n, SIZE)),
    )
    await page.locator('input[type="file"]').setInputFiles(picked.map((f) => f.path))
    const droppedSha = await dropGeneratedFile(page, 'dropped.bin', SIZE)
    const expected = new Map([
      ...picked.map((f, i) => [['alpha.bin', 'bravo.bin', 'charlie.bin'][i]!, f.sha] as const),
      ['dropped.bin', droppedSha],
    ])

    // Pause bravo once a few MiB reached the server: it is mid-file.
    await until('bravo mid-upload', () => sentFor('bravo.bin') > 3 * MiB)
    await page.getByRole('button', { name: 'Pause bravo.bin' }).click()
    await waitForPhase(page, 'bravo.bin', 'paused')
    const bravoUrl = uploadOf('bravo.bin')
    await until('bravo to settle', async () => {
      const a = sentFor('bravo.bin')
      await new Promise((r) => setTimeout(r, 300))
      return a === sentFor('bravo.bin')
    })
    const pausedSent = sentFor('bravo.bin')
    const pausedAt = await headOffset(bravoUrl)
    expect(pausedAt.offset).toBeGreaterThan(0)
    expect(pausedAt.offset).toBeLessThan(SIZE)

    // The others continue (the dropped one takes the freed slot) and finish while bravo waits.
    for (const name of ['alpha.bin', 'charlie.bin', 'dropped.bin'])
      await waitForPhase(page, name, 'completed')
    expect(await phaseOf(page, 'bravo.bin')).toBe('paused')
    expect(sentFor('bravo.bin')).toBe(pausedSent) // a paused file sends no byte
    expect((await headOffset(bravoUrl)).offset).toBe(pausedAt.offset)

    await page.getByRole('button', { name: 'Resume bravo.bin' }).click()
    await waitForPhase(page, 'bravo.bin', 'completed')
    // Resumed from the server's offset: at most one chunk re-sent.
    expect(sentFor('bravo.bin')).toBeLessThanOrEqual(SIZE + CHUNK)

    // Download links of the finished list point at the uploads; the bytes are the page's bytes.
    const links = page.locator('.demo__done a[download]')
    await until('4 download links', async () => (await links.count()) === 4)
    for (const [name, sha] of expected) {
      const href = await page.locator(`.demo__done a[download="${name}"]`).getAttribute('href')
      expect(href).toBe(uploadOf(name))
      const got = await fetchSha(href!)
      expect(got.status).toBe(200)
      expect(got.size).toBe(SIZE)
      expect(got.sha, name).toBe(sha)
    }
  })

  it('cancel deletes the partial upload from the server', async () => {
    const f = await makeFile(tmp, 'delta.bin', SIZE)
    await page.locator('input[type="file"]').setInputFiles([f.path])
    await until('delta mid-upload', () => sentFor('delta.bin') > 2 * MiB)
    const url = uploadOf('delta.bin')
    expect((await headOffset(url)).status).toBe(200)
    await page.getByRole('button', { name: 'Cancel delta.bin' }).click()
    await waitForPhase(page, 'delta.bin', 'canceled')
    await until('delta gone on the server', async () => [404, 410].includes((await headOffset(url)).status))
    const id = pathOf(url).split('/').pop()!
    expect(existsSync(join(uploads, id))).toBe(false)
    await page.getByRole('button', { name: 'Remove delta.bin' }).click()
    await row(page, 'delta.bin').waitFor({ state: 'detached' })
  })

  it('after a reload, picking the same file again resumes from the server offset', async () => {
    const f = await makeFile(tmp, 'echo.bin', SIZE)
    await page.locator('input[type="file"]').setInputFiles([f.path])
    await until('echo mid-upload', () => sentFor('echo.bin') > 8 * MiB)
    const url = uploadOf('echo.bin')
    const createdBefore = proxy.created.length
    await page.reload()
    await page.locator('.shuttle-upload').waitFor()
    const atReload = await headOffset(url)
    expect(atReload.offset).toBeGreaterThan(0)
    const sentBefore = sentFor('echo.bin')
    // Too big to be copied (over 10 MiB) and picked without a handle: a ghost row with the
    // server's offset (one HEAD), which picking the same file again resumes.
    const offer = page.locator('.shuttle-upload__restored-row[data-restored="ghost"]', {
      hasText: 'echo.bin',
    })
    await offer.waitFor()
    await mkdir(SHOTS, { recursive: true })
    await page.screenshot({ path: join(SHOTS, 'demo-resume-after-reload.png') })

    await page.locator('input[type="file"]').setInputFiles([f.path])
    await offer.waitFor({ state: 'detached' })
    await waitForPhase(page, 'echo.bin', 'completed')
    expect(proxy.created.length).toBe(createdBefore) // no new upload: the checkpoint was used
    const resumedBytes = sentFor('echo.bin') - sentBefore
    expect(resumedBytes).toBeLessThanOrEqual(SIZE - (atReload.offset ?? 0) + CHUNK)
    expect(sentFor('echo.bin')).toBeLessThanOrEqual(SIZE + CHUNK)
    const got = await fetchSha(url)
    expect(got.sha).toBe(f.sha)
  })

  it('keyboard: Tab reaches the drop zone, Enter opens the picker, Delete removes a focused file; paste adds files; zh-CN', async () => {
    const p = await browser.newPage()
    // The <input> picker, as Firefox and Safari get it: Chromium's showOpenFilePicker (which the
    // demo uses to keep handles) opens a dialog Playwright cannot answer. resume-reload covers that.
    await p.addInitScript(() => {
      Object.defineProperty(window, 'showOpenFilePicker', { value: undefined, configurable: true })
    })
    // Listen before anything happens: Playwright turns chooser interception on asynchronously, and
    // a listener added just before the key press can miss the dialog.
    const choosers: FileChooser[] = []
    p.on('filechooser', (c) => choosers.push(c))
    try {
      await p.goto(`${proxy.origin}/?lang=zh-CN`)
      await p.getByText('点击上传').waitFor()
      const zone = p.getByRole('button', { name: /选择文件|点击上传/ })
      for (let i = 0; i < 12 && !(await zone.evaluate((el) => el === document.activeElement)); i++) {
        await p.keyboard.press('Tab')
      }
      expect(await zone.evaluate((el) => el === document.activeElement)).toBe(true)
      await p.evaluate(() => {
        document
          .querySelector('input[type=file]')
          ?.addEventListener('click', () => console.log('INPUT CLICK'))
        document.addEventListener('keydown', (e) =>
          console.log('KEYDOWN', e.key, (e.target as Element).className),
        )
      })
      p.on('console', (m) => console.log('page:', m.text()))
      const chooser = p.waitForEvent('filechooser', { timeout: 8000 })
      await p.keyboard.press('Enter')
      await (await chooser).setFiles({
        name: 'kbd.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('typed'),
      })
      await waitForPhase(p, 'kbd.txt', 'completed', 30_000)

      // Paste anywhere on the page (the demo listens on the document).
      await p.evaluate(() => {
        const dt = new DataTransfer()
        dt.items.add(new File(['pasted bytes'], 'pasted.txt', { type: 'text/plain' }))
        document.body.dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }),
        )
      })
      await waitForPhase(p, 'pasted.txt', 'completed', 30_000)

      await row(p, 'kbd.txt').focus()
      await p.keyboard.press('Delete')
      await row(p, 'kbd.txt').waitFor({ state: 'detached' })
      expect(await row(p, 'pasted.txt').count()).toBe(1)
      // The live region told screen readers what happened.
      expect(await p.locator('[aria-live="polite"]').textContent()).toContain('pasted.txt')
    } finally {
      await p.close()
    }
  })
})
