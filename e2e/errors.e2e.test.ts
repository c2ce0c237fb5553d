import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { en, type LocaleMessages, zhCn } from '../packages/vue/src/locale/index.js'
import { launchChromium } from './helpers/browser.js'
import { makeFile } from './helpers/files.js'
import { row, waitForPhase } from './helpers/page.js'
import { type ScriptedTus, startScriptedTus } from './helpers/scripted-tus.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// The error table, in the demo as users see it: each way an upload goes wrong shows its sentence
// in English and in Chinese, the server's text body when it is written for people, and the
// technical detail behind one click. The endpoint is another origin (a scripted tus front of
// `shuttle serve`), so CORS is real.
const SHOTS = fileURLToPath(new URL('./screenshots/', import.meta.url))
const QUOTA = 'Quota exceeded for this account'
const TOO_LARGE = 'Upload-Length exceeds the maximum of 1048576 bytes'

const TABLE: Array<{ name: string; key: keyof LocaleMessages; status?: number; server?: string }> = [
  { name: 'e401.bin', key: 'errorUnauthorized', status: 401 },
  { name: 'e403.bin', key: 'errorForbidden', status: 403, server: QUOTA },
  { name: 'e413.bin', key: 'errorTooLarge', status: 413, server: TOO_LARGE },
  { name: 'e500.bin', key: 'errorServer', status: 500 },
  { name: 'e503.bin', key: 'errorUnavailable', status: 503 },
  { name: 'cors.bin', key: 'errorBlocked' },
]

let tmp: string
let server: RunningServer
let front: ScriptedTus
let browser: Browser

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-errors-'))
  await mkdir(SHOTS, { recursive: true })
  server = await startServer(join(tmp, 'uploads'))
  front = await startScriptedTus(server.origin)
  front.scripts.set('e401.bin', { status: 401, body: 'Unauthorized' })
  front.scripts.set('e403.bin', { status: 403, body: QUOTA })
  front.scripts.set('e413.bin', { status: 413, body: TOO_LARGE })
  front.scripts.set('e500.bin', {
    status: 500,
    body: 'TypeError: store is undefined\n    at write (store.js:12)',
  })
  front.scripts.set('e503.bin', { status: 503, body: 'Service Unavailable' })
  front.scripts.set('cors.bin', { status: 201, cors: false, headers: { Location: '/files/nope' } })
  browser = await launchChromium()
})

afterAll(async () => {
  await browser?.close()
  await front?.close()
  await server?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

async function openDemo(lang: 'en' | 'zh-CN'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } })
  const endpoint = encodeURIComponent(`${front.origin}/files/`)
  await page.goto(`${server.origin}/?lang=${lang}&retries=0&endpoint=${endpoint}`)
  await page.locator('.shuttle-upload').waitFor()
  return page
}

describe.each([
  ['en', en],
  ['zh-CN', zhCn],
] as const)('the error table in %s', (lang, m) => {
  it('each failure shows its sentence, the server text meant for people, and the detail one click away; 429 waits; offline waits', async () => {
    const page = await openDemo(lang)
    front.scripts.set('e429.bin', { status: 429, body: 'Slow down', headers: { 'Retry-After': '1' } })
    const files = await Promise.all(
      [...TABLE.map((r) => r.name), 'e429.bin'].map((n) => makeFile(tmp, n, 64 * 1024)),
    )
    await page.locator('input[type="file"]').setInputFiles(files.map((f) => f.path))

    // 429 with Retry-After: not a failure, a wait that says why.
    const limited = row(page, 'e429.bin')
    await limited.and(page.locator('.is-waiting-rate-limit')).waitFor({ timeout: 20_000 })
    expect(await limited.locator('.shuttle-file-list__status').textContent()).toContain(m.statusRateLimited)

    for (const r of TABLE) {
      await waitForPhase(page, r.name, 'failed', 30_000)
      const item = row(page, r.name)
      expect(await item.locator('.shuttle-file-list__error-text').textContent(), r.name).toBe(m[r.key])
      const server = item.locator('.shuttle-file-list__server-text')
      if (r.server) expect(await server.textContent()).toContain(r.server)
      // A stack trace or a bare status line is not for people: it stays in the details.
      else expect(await server.count(), r.name).toBe(0)
      const detail = item.locator('.shuttle-file-list__tech code')
      expect(await detail.isVisible()).toBe(false)
      await item.locator('.shuttle-file-list__tech summary').click()
      expect(await detail.isVisible()).toBe(true)
      const text = (await detail.textContent()) ?? ''
      if (r.status) expect(text).toContain(`HTTP ${r.status}`)
      else expect(text).toContain('ERR_BLOCKED')
    }
    // "Retry all" is there while files failed.
    expect(await page.locator('.shuttle-btn.is-retry-all').textContent()).toContain(m.retryAll)
    await page.screenshot({ path: `${SHOTS}errors-${lang}.png`, fullPage: true })

    // The server lets the rate-limited file in: it completes without having failed.
    front.scripts.delete('e429.bin')
    await waitForPhase(page, 'e429.bin', 'completed', 30_000)

    // Network down: the page goes offline; a file added now waits for the network, with the notice.
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Network.emulateNetworkConditions', {
      offline: true,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    })
    const net = await makeFile(tmp, `net-${lang}.bin`, 64 * 1024)
    await page.locator('input[type="file"]').setInputFiles([net.path])
    const waiting = row(page, `net-${lang}.bin`).and(page.locator('.is-waiting-network'))
    await waiting.waitFor({ timeout: 20_000 })
    expect(await waiting.locator('.shuttle-file-list__status').textContent()).toContain(
      m.statusWaitingNetwork,
    )
    expect(await page.locator('.shuttle-upload__notice.is-offline').textContent()).toContain(m.offline)
    await page.screenshot({ path: `${SHOTS}errors-${lang}-offline.png`, fullPage: true })
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    })
    await waitForPhase(page, `net-${lang}.bin`, 'completed', 30_000)
    await page.close()
  })
})
