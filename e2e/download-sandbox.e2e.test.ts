import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './helpers/browser.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// What an uploaded file can do when someone opens its download URL in a real Chromium, on the
// origin that serves the app: HTML and SVG are downloaded, never rendered; what is shown in place
// (an image, plain text) runs in a sandbox: an opaque origin without the app's cookies or script.

// A 1×1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)
const SCRIPT = '<script>document.title = "pwned"; window.pwned = document.cookie</script>'

let tmp: string
let server: RunningServer
let browser: Browser
let page: Page

async function upload(body: Buffer | string, filetype: string, filename: string): Promise<string> {
  const data = Buffer.from(body)
  const md = `filename ${btoa(filename)},filetype ${btoa(filetype)}`
  const created = await fetch(`${server.origin}/files/`, {
    method: 'POST',
    headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(data.length), 'Upload-Metadata': md },
  })
  expect(created.status).toBe(201)
  const url = created.headers.get('location')!
  const patched = await fetch(url, {
    method: 'PATCH',
    headers: {
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': '0',
      'Content-Type': 'application/offset+octet-stream',
    },
    body: data,
  })
  expect(patched.status).toBe(204)
  return url
}

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-sandbox-'))
  server = await startServer(join(tmp, 'uploads'))
  browser = await launchChromium()
  const context = await browser.newContext({ acceptDownloads: true })
  // The app's session cookie, which an uploaded file must never read.
  await context.addCookies([{ name: 'session', value: 'secret', url: `${server.origin}/` }])
  page = await context.newPage()
  await page.goto(`${server.origin}/`)
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

/** What the page sees of the opened document: its origin, whether cookies are reachable, its title. */
function inspect(p: Page) {
  return p.evaluate(() => {
    let cookie: string
    try {
      cookie = document.cookie
    } catch {
      cookie = 'blocked'
    }
    return { origin: self.origin, cookie, title: document.title, pwned: 'pwned' in window }
  })
}

describe('opening an uploaded file in Chromium', () => {
  it.each([
    ['HTML', 'text/html', 'page.html', `<html><body>hi${SCRIPT}</body></html>`],
    [
      'SVG',
      'image/svg+xml',
      'logo.svg',
      `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>`,
    ],
    ['PDF', 'application/pdf', 'report.pdf', '%PDF-1.4\n%…'],
  ])('%s is downloaded, not rendered in the app’s origin', async (_, filetype, filename, body) => {
    const url = await upload(body, filetype, filename)
    const downloading = page.waitForEvent('download')
    await page.goto(url).catch(() => {
      // Chromium aborts a navigation that turns into a download.
    })
    const download = await downloading
    expect(download.suggestedFilename()).toBe(filename)
    await download.cancel()
    // The app's page is still what the tab shows, and nothing of the file ran.
    expect(await inspect(page)).toMatchObject({
      origin: server.origin,
      cookie: 'session=secret',
      pwned: false,
    })
  })

  it('plain text containing a script is shown as text, in an opaque origin without the cookies', async () => {
    const url = await upload(`hello ${SCRIPT}`, 'text/plain', 'notes.txt')
    await page.goto(url)
    expect(await page.evaluate(() => document.body.innerText)).toContain('<script>')
    expect(await inspect(page)).toEqual({ origin: 'null', cookie: 'blocked', title: '', pwned: false })
    await page.goto(`${server.origin}/`)
  })

  it('a PNG is shown in place, sandboxed as well', async () => {
    const url = await upload(PNG, 'image/png', 'dot.png')
    await page.goto(url)
    expect(await page.evaluate(() => document.contentType)).toBe('image/png')
    expect(await page.evaluate(() => (document.querySelector('img') as HTMLImageElement).naturalWidth)).toBe(
      1,
    )
    expect(await inspect(page)).toMatchObject({ origin: 'null', cookie: 'blocked', pwned: false })
    await page.goto(`${server.origin}/`)
  })
})
