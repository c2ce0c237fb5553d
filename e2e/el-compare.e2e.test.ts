import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Locator, Page } from 'playwright-core'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type FormServer, startFormServer } from '../packages/vue/src/testing/form-server.js'
import { launchChromium } from './helpers/browser.js'
import { fetchSha, MiB, makeFile } from './helpers/files.js'
import { until } from './helpers/page.js'
import { startProxy, type ThrottleProxy } from './helpers/proxy.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// Element Plus's upload docs examples, each rendered twice on one page in real Chromium: with
// Element Plus's <el-upload> and with <shuttle-upload> (the template text with the tag changed).
// The same user actions on both columns; the hooks' calls, the requests, the lists and the
// messages are compared. Then the Shuttle column switched to `endpoint=` (tus), with pause/resume.

const PAGE_SRC = fileURLToPath(new URL('./el-compare/', import.meta.url))
const SHOTS = fileURLToPath(new URL('../docs/screenshots/', import.meta.url))
type Side = 'el' | 'shuttle'
const SIDES: readonly Side[] = ['el', 'shuttle']

let tmp: string
let server: RunningServer
let proxy: ThrottleProxy
let form: FormServer
let browser: Browser
let page: Page
let bigRuns = 0

interface Spec {
  name: string
  type: string
  /** Bytes for non-images; images are drawn on a canvas in the page (real PNG / JPEG). */
  text?: string
  color?: string
}

const at = (side: Side, id: string): Locator => page.locator(`.side-${side} .example-${id}`)

/** Makes files in the page and hands them to the example's file input (or drops them), as a user would. */
async function give(side: Side, id: string, specs: Spec[], how: 'pick' | 'drop' = 'pick'): Promise<void> {
  await page.evaluate(
    async ({ side, id, specs, how }) => {
      const dt = new DataTransfer()
      for (const s of specs) {
        if (s.type.startsWith('image/')) {
          const c = document.createElement('canvas')
          c.width = 240
          c.height = 180
          const g = c.getContext('2d') as CanvasRenderingContext2D
          const grad = g.createLinearGradient(0, 0, 240, 180)
          grad.addColorStop(0, s.color ?? '#f97316')
          grad.addColorStop(1, '#1e3a8a')
          g.fillStyle = grad
          g.fillRect(0, 0, 240, 180)
          g.fillStyle = 'rgba(255,255,255,0.85)'
          g.beginPath()
          g.arc(170, 60, 30, 0, Math.PI * 2)
          g.fill()
          const blob = await new Promise<Blob>((ok) => c.toBlob((b) => ok(b as Blob), s.type))
          dt.items.add(new File([blob], s.name, { type: s.type }))
        } else dt.items.add(new File([s.text ?? s.name], s.name, { type: s.type }))
      }
      const root = document.querySelector(`.side-${side} .example-${id}`) as HTMLElement
      if (how === 'drop') {
        const zone = root.querySelector('.el-upload-dragger') as HTMLElement
        zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }))
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }))
        return
      }
      const input = root.querySelector('input[type=file]') as HTMLInputElement
      input.files = dt.files
      input.dispatchEvent(new Event('change', { bubbles: true }))
    },
    { side, id, specs, how },
  )
}

type Logs = Record<Side, string[]>
const logs = (): Promise<Logs> =>
  page.evaluate(() => (window as unknown as { __compare: { logs: Logs } }).__compare.logs)
const logOf = async (side: Side, id: string) => (await logs())[side].filter((l) => l.startsWith(`${id}: `))

/** What reached the form server for one column's example: method, field names, file names and bytes. */
const requests = (side: Side, id: string) =>
  form.requests
    .filter((r) => r.path === `/upload/${side}/${id}`)
    .map((r) => ({ method: r.method, parts: r.parts.map((p) => [p.name, p.filename, p.size]) }))

/** The rows of the file list as the user sees them: name and el-upload status class. */
const listOf = (side: Side, id: string) =>
  at(side, id)
    .locator('.el-upload-list__item')
    .evaluateAll((items) =>
      // Element Plus animates removals (TransitionGroup): a leaving row is gone for the user.
      items
        .filter((li) => !/-leave-/.test(li.className))
        .map((li) => {
          const status = /\bis-(ready|uploading|success|fail)\b/.exec(li.className)?.[1]
          const name = li.querySelector('.el-upload-list__item-name')?.textContent?.trim() ?? ''
          return [name, status]
        }),
    )

async function waitLog(side: Side, id: string, n: number, what: string): Promise<void> {
  await until(`${side} ${id}: ${what}`, async () => (await logOf(side, id)).length >= n, 30_000)
}

/** Hovers the row first: Element Plus's CSS shows its close icon on hover only (on both columns). */
async function removeFirst(side: Side, id: string, selector: string): Promise<void> {
  await clickOnHover(at(side, id).locator('.el-upload-list__item').first(), selector)
}

/**
 * Clicks an item's action that shows only while the mouse is over the item (Element Plus hides
 * them with display: none otherwise). Playwright scrolls before it clicks; if the layout moved the
 * item from under the mouse meanwhile, the action is hidden again, so hover and click again.
 */
async function clickOnHover(item: Locator, selector: string): Promise<void> {
  await until(`${selector} clickable`, async () => {
    await item.scrollIntoViewIfNeeded()
    await item.hover()
    return item
      .locator(selector)
      .first()
      .click({ timeout: 2000 })
      .then(() => true)
      .catch(() => false)
  })
}

async function buildPage(outDir: string): Promise<void> {
  await build({ configFile: join(PAGE_SRC, 'vite.config.ts'), build: { outDir }, logLevel: 'warn' })
}

async function openPage(query: string, origin: string): Promise<void> {
  await page.goto(`${origin}/?form=${encodeURIComponent(form.url)}${query}`)
  await page.waitForFunction(() => (window as unknown as { __compare?: { ready: boolean } }).__compare?.ready)
}

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-el-compare-'))
  await buildPage(join(tmp, 'page'))
  server = await startServer(join(tmp, 'uploads'), [], join(tmp, 'page'))
  proxy = await startProxy(server.origin, Number.POSITIVE_INFINITY)
  form = await startFormServer()
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, deviceScaleFactor: 1 })
})

afterAll(async () => {
  await browser?.close()
  await form?.close()
  await proxy?.close()
  await server?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('Element Plus docs examples: <el-upload> and <shuttle-upload> side by side in Chromium', () => {
  beforeAll(() => openPage('', server.origin))

  it('the Shuttle column is the el-upload template with only the tag changed', async () => {
    const templates = await page.evaluate(
      () =>
        (window as unknown as { __compare: { templates: Record<string, Record<Side, string>> } }).__compare
          .templates,
    )
    expect(Object.keys(templates)).toEqual([
      'basic',
      'avatar',
      'drag',
      'limit-cover',
      'manual',
      'picture-card',
      'thumbnail',
    ])
    for (const t of Object.values(templates)) {
      expect(t.shuttle).not.toBe(t.el)
      expect(t.shuttle.replaceAll('shuttle-upload', 'el-upload')).toBe(t.el)
    }
  })

  it('basic: upload, limit 3 with on-exceed message, preview, before-remove confirm then on-remove', async () => {
    for (const side of SIDES) {
      await give(side, 'basic', [{ name: 'notes.txt', type: 'text/plain' }])
      await until(`${side} basic uploaded`, async () => (await listOf(side, 'basic'))[2]?.[1] === 'success')
      await give(side, 'basic', [
        { name: 'x.txt', type: 'text/plain' },
        { name: 'y.txt', type: 'text/plain' },
      ])
      await waitLog(side, 'basic', 1, 'exceed')
      await expect
        .poll(() => page.locator('.el-message--warning').last().textContent())
        .toContain('The limit is 3')
      await at(side, 'basic').locator('.el-upload-list__item-name').first().click()
      await removeFirst(side, 'basic', '.el-icon--close')
      await page.locator('.el-message-box__btns .el-button--primary').click()
      await waitLog(side, 'basic', 3, 'remove')
    }
    expect(await logOf('el', 'basic')).toEqual([
      'basic: exceed: The limit is 3: you picked 2 files, 5 in all',
      'basic: preview kitten.jpeg',
      'basic: remove kitten.jpeg left 2',
    ])
    expect(await logOf('shuttle', 'basic')).toEqual(await logOf('el', 'basic'))
    expect(requests('el', 'basic')).toEqual([{ method: 'POST', parts: [['file', 'notes.txt', 9]] }])
    expect(requests('shuttle', 'basic')).toEqual(requests('el', 'basic'))
    expect(await listOf('shuttle', 'basic')).toEqual(await listOf('el', 'basic'))
  })

  it('avatar: a PNG is refused with a message, a JPEG is uploaded and shown in the trigger', async () => {
    for (const side of SIDES) {
      await give(side, 'avatar', [{ name: 'face.png', type: 'image/png' }])
      await waitLog(side, 'avatar', 1, 'refused')
      await give(side, 'avatar', [{ name: 'face.jpg', type: 'image/jpeg' }])
      await waitLog(side, 'avatar', 2, 'success')
      await at(side, 'avatar').locator('.el-upload img.avatar').waitFor()
    }
    const el = await logOf('el', 'avatar')
    expect(el[0]).toBe('avatar: refused face.png: not jpeg')
    expect(el[1]).toMatch(/^avatar: success face\.jpg \{"ok":true,"n":\d+\}$/)
    const sh = await logOf('shuttle', 'avatar')
    expect(sh.map((l) => l.replace(/"n":\d+/, ''))).toEqual(el.map((l) => l.replace(/"n":\d+/, '')))
    expect(requests('shuttle', 'avatar').map((r) => r.parts.at(-1)?.[1])).toEqual(['face.jpg'])
    expect(requests('el', 'avatar')).toEqual(requests('shuttle', 'avatar'))
    // The docs' CSS (.avatar-uploader .el-upload { border: 1px dashed … }) styles both triggers.
    for (const side of SIDES)
      expect(
        await at(side, 'avatar')
          .locator('.el-upload')
          .evaluate((e) => getComputedStyle(e).borderStyle),
      ).toBe('dashed')
  })

  it('drag: two dropped files are uploaded and listed as success', async () => {
    for (const side of SIDES) {
      await give(
        side,
        'drag',
        [
          { name: 'one.png', type: 'image/png', color: '#06b6d4' },
          { name: 'two.txt', type: 'text/plain' },
        ],
        'drop',
      )
      await waitLog(side, 'drag', 2, 'two successes')
    }
    expect((await logOf('el', 'drag')).sort()).toEqual(['drag: success one.png', 'drag: success two.txt'])
    expect((await logOf('shuttle', 'drag')).sort()).toEqual((await logOf('el', 'drag')).sort())
    expect(await listOf('shuttle', 'drag')).toEqual(await listOf('el', 'drag'))
    expect(requests('shuttle', 'drag').length).toBe(2)
  })

  it('limit-cover: a second pick replaces the first; submit sends only the newer file', async () => {
    for (const side of SIDES) {
      await give(side, 'limit-cover', [{ name: 'old.txt', type: 'text/plain' }])
      await give(side, 'limit-cover', [{ name: 'new.txt', type: 'text/plain' }])
      await waitLog(side, 'limit-cover', 1, 'covered')
      await expect.poll(() => listOf(side, 'limit-cover')).toEqual([['new.txt', 'ready']])
      await at(side, 'limit-cover').locator('button.submit').click()
      await waitLog(side, 'limit-cover', 2, 'success')
    }
    expect(await logOf('el', 'limit-cover')).toEqual([
      'limit-cover: covered by new.txt',
      'limit-cover: success new.txt',
    ])
    expect(await logOf('shuttle', 'limit-cover')).toEqual(await logOf('el', 'limit-cover'))
    expect(requests('el', 'limit-cover')).toEqual([{ method: 'POST', parts: [['file', 'new.txt', 7]] }])
    expect(requests('shuttle', 'limit-cover')).toEqual(requests('el', 'limit-cover'))
  })

  it('manual: picked files wait as ready; submit() sends them', async () => {
    for (const side of SIDES) {
      await give(side, 'manual', [
        { name: 'a.txt', type: 'text/plain' },
        { name: 'b.txt', type: 'text/plain' },
      ])
      expect(await listOf(side, 'manual')).toEqual([
        ['a.txt', 'ready'],
        ['b.txt', 'ready'],
      ])
      expect(requests(side, 'manual')).toEqual([])
      await at(side, 'manual').locator('button.submit').click()
      await waitLog(side, 'manual', 2, 'two successes')
    }
    expect((await logOf('shuttle', 'manual')).sort()).toEqual((await logOf('el', 'manual')).sort())
    expect(await listOf('shuttle', 'manual')).toEqual(await listOf('el', 'manual'))
    expect(requests('shuttle', 'manual').length).toBe(2)
  })

  it('picture-card and custom thumbnail: uploads, previews (dialog), then a screenshot pair', async () => {
    for (const side of SIDES) {
      await give(side, 'picture-card', [{ name: 'card.png', type: 'image/png', color: '#84cc16' }])
      await until(
        `${side} card uploaded`,
        async () => (await listOf(side, 'picture-card'))[0]?.[1] === 'success',
      )
      const item = at(side, 'picture-card').locator('.el-upload-list__item').first()
      await clickOnHover(item, '.el-upload-list__item-preview')
      await page
        .locator('.el-dialog')
        .filter({ hasText: `Preview ${side}` })
        .locator('img')
        .waitFor()
      await page.keyboard.press('Escape')
      await page
        .locator('.el-dialog')
        .filter({ hasText: `Preview ${side}` })
        .waitFor({ state: 'hidden' })
      await give(side, 'thumbnail', [{ name: 'thumb.png', type: 'image/png', color: '#7c3aed' }])
      const thumb = at(side, 'thumbnail').locator('.el-upload-list__item img.el-upload-list__item-thumbnail')
      await thumb.waitFor()
      expect(await thumb.getAttribute('src')).toMatch(/^blob:/)
      const titem = at(side, 'thumbnail').locator('.el-upload-list__item').first()
      await clickOnHover(titem, '.el-upload-list__item-preview')
      await waitLog(side, 'thumbnail', 1, 'preview')
    }
    expect(await logOf('el', 'picture-card')).toEqual(['picture-card: preview card.png'])
    expect(await logOf('shuttle', 'picture-card')).toEqual(await logOf('el', 'picture-card'))
    expect(await logOf('el', 'thumbnail')).toEqual(['thumbnail: preview thumb.png blob-url'])
    expect(await logOf('shuttle', 'thumbnail')).toEqual(await logOf('el', 'thumbnail'))

    await page.mouse.move(0, 0)
    for (const side of SIDES)
      await page.locator(`.side-${side}`).screenshot({ path: join(SHOTS, `el-compare-${side}.png`) })

    for (const side of SIDES) {
      await removeFirst(side, 'picture-card', '.el-upload-list__item-delete')
      await waitLog(side, 'picture-card', 2, 'remove')
      const titem = at(side, 'thumbnail').locator('.el-upload-list__item').first()
      await clickOnHover(titem, '.el-upload-list__item-delete')
      await until(`${side} thumbnail removed`, async () => (await listOf(side, 'thumbnail')).length === 0)
    }
    expect(await logOf('shuttle', 'picture-card')).toEqual(await logOf('el', 'picture-card'))
  })
})

describe('the same examples with endpoint= (tus) on the Shuttle column', () => {
  beforeAll(async () => {
    form.requests.length = 0
    await openPage('&mode=tus', proxy.origin)
  })

  const normal = (l: string) => l.replace(/ \{.*\}$/, '')

  it('behave as the form uploads of <el-upload> do (same hooks, lists and messages), through tus', async () => {
    for (const side of SIDES) {
      await give(side, 'basic', [{ name: 'notes.txt', type: 'text/plain' }])
      await until(`${side} basic uploaded`, async () => (await listOf(side, 'basic'))[2]?.[1] === 'success')
      await give(side, 'avatar', [{ name: 'face.png', type: 'image/png' }])
      await give(side, 'avatar', [{ name: 'face.jpg', type: 'image/jpeg' }])
      await waitLog(side, 'avatar', 2, 'avatar success')
      await give(side, 'limit-cover', [{ name: 'old.txt', type: 'text/plain' }])
      await give(side, 'limit-cover', [{ name: 'new.txt', type: 'text/plain' }])
      await at(side, 'limit-cover').locator('button.submit').click()
      await waitLog(side, 'limit-cover', 2, 'limit-cover success')
    }
    const el = (await logs()).el.map(normal)
    expect(el).toEqual([
      'avatar: refused face.png: not jpeg',
      'avatar: success face.jpg',
      'limit-cover: covered by new.txt',
      'limit-cover: success new.txt',
    ])
    expect((await logs()).shuttle.map(normal)).toEqual(el)
    expect(await listOf('shuttle', 'basic')).toEqual(await listOf('el', 'basic'))
    // Nothing of the Shuttle column went to the form server: its bytes went through tus.
    expect(form.requests.filter((r) => r.path.startsWith('/upload/shuttle/'))).toEqual([])
    expect(proxy.created.map((c) => c.filename).sort()).toEqual(['face.jpg', 'new.txt', 'notes.txt'])
  })

  it('pause and resume a dropped file mid-upload; the stored bytes match by sha256', async () => {
    // A new name on CI's retry: the first attempt's row stays in the list.
    const name = `big-${++bigRuns}.bin`
    const src = await makeFile(tmp, name, 3 * MiB)
    proxy.setRate(512 * 1024)
    await at('shuttle', 'drag').locator('input[type=file]').setInputFiles(src.path)
    const row = at('shuttle', 'drag').locator('.el-upload-list__item', { hasText: name })
    const pct = async () => Number((await row.getAttribute('aria-valuenow')) ?? Number.NaN)
    const pathOf = () => {
      const upload = proxy.created.find((c) => c.filename === name)
      return upload ? new URL(upload.url).pathname : undefined
    }
    await until(`${name} past 10 %`, () => (proxy.patchBytes.get(pathOf() ?? '') ?? 0) > 0.1 * src.size)
    await row.locator('.shuttle-btn.is-pause').click()
    await row.and(page.locator('.is-phase-paused')).waitFor()
    const path = pathOf()
    if (!path) throw new Error(`${name} was not created through the proxy`)
    // What the browser had sent before the pause may still sit in the sockets: the proxy reads it
    // until it sees the aborted PATCH end. From then on, a paused file sends nothing.
    await until('the paused PATCH to end at the proxy', () => proxy.patchesOpen(path) === 0)
    const atPause = proxy.patchBytes.get(path) ?? 0
    // A deliberate quiet window: nothing to wait for when nothing should happen.
    await new Promise((r) => setTimeout(r, 1000))
    expect(proxy.patchBytes.get(path) ?? 0).toBe(atPause)
    expect(atPause).toBeLessThan(src.size)
    proxy.setRate(Number.POSITIVE_INFINITY)
    await row.locator('.shuttle-btn.is-resume').click()
    await row.and(page.locator('.is-success')).waitFor({ timeout: 60_000 })
    expect(await pct()).toBeNaN()
    const got = await fetchSha(`${server.origin}${path}`)
    expect(got).toEqual({ status: 200, sha: src.sha, size: src.size })
    // Bytes the server had confirmed were not sent again (at most the chunk in flight).
    expect(proxy.patchBytes.get(path) ?? 0).toBeLessThan(src.size + 2 * 65536)
  })
})
