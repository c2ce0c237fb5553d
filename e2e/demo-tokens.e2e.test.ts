import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './helpers/browser.js'
import { fetchSha, MiB, makeFile } from './helpers/files.js'
import { until, waitForPhase } from './helpers/page.js'
import { startProxy, type ThrottleProxy } from './helpers/proxy.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// The demo as `npm start` runs it (shuttle serve --demo-tokens), with the token lifetime cut to
// 2 seconds (--demo-token-expires, a test-only setting) and the proxy slowing the upload to ~4 s,
// so the token expires mid-file: the page fetched a token before its first request and fetches
// one more per expiry, and the file arrives intact.
const SIZE = 24 * MiB
const CHUNK = 1 * MiB
const RATE = 6 * MiB

let tmp: string
let server: RunningServer
let proxy: ThrottleProxy
let browser: Browser
let page: Page

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-demo-tokens-'))
  server = await startServer(join(tmp, 'uploads'), ['--demo-tokens', '--demo-token-expires', '2s'])
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

describe('demo in Chromium with the token endpoint', () => {
  it('fetches a token before uploading, refreshes it once per expiry, and the file arrives intact', async () => {
    // Nothing is asked for before there is something to upload.
    expect(proxy.requests.filter((q) => q.path === '/demo-token')).toHaveLength(0)
    const file = await makeFile(tmp, 'tokened.bin', SIZE)
    await page.locator('input[type="file"]').setInputFiles(file.path)
    await waitForPhase(page, 'tokened.bin', 'completed', 60_000)

    const tokenPosts = proxy.requests.filter((q) => q.method === 'POST' && q.path === '/demo-token')
    const tus = proxy.requests.filter((q) => q.path.startsWith('/files/'))
    const refused = tus.filter((q) => q.status === 401)
    const refusedTokens = new Set(refused.map((q) => q.token))
    const used = [...new Set(tus.map((q) => q.token))]
    console.info(
      `demo: token requests ${tokenPosts.length}, tokens used ${used.length}, 401s ${refused.length} (for ${refusedTokens.size} tokens)`,
    )
    // The first token came before the first upload request: no tus request went without one.
    expect(tus.every((q) => q.token !== undefined)).toBe(true)
    expect(tokenPosts.every((q) => q.status === 200)).toBe(true)
    // The token expired mid-upload, and each expired token was replaced by exactly one refresh.
    expect(refusedTokens.size).toBeGreaterThanOrEqual(1)
    expect(tokenPosts.length - 1).toBe(refusedTokens.size)
    expect(used).toHaveLength(tokenPosts.length)
    // The page says where its tokens come from.
    await until('the token label to count every token', async () =>
      ((await page.locator('[data-demo-tokens]').textContent()) ?? '').includes(
        `${tokenPosts.length} issued`,
      ),
    )
    expect(await page.locator('[data-demo-tokens]').getAttribute('title')).toMatch(/DEMO ONLY/)

    // One upload, never restarted; its stored bytes are the file's (read with a token of the
    // page's own subject, kept in its localStorage).
    expect(proxy.created.filter((c) => c.filename === 'tokened.bin')).toHaveLength(1)
    const subject = await page.evaluate(() => localStorage.getItem('shuttle-demo-subject'))
    expect(subject).toMatch(/^[\w-]{8,64}$/)
    const { token } = (await (
      await fetch(`${server.origin}/demo-token`, { method: 'POST', body: JSON.stringify({ subject }) })
    ).json()) as { token: string }
    const got = await fetchSha(proxy.created[0]!.url, { Authorization: `Bearer ${token}` })
    expect(got.status).toBe(200)
    expect(got.sha).toBe(file.sha)

    // The page's Download button sends the token too (a plain link could not): same bytes.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download tokened.bin' }).click(),
    ])
    expect(download.suggestedFilename()).toBe('tokened.bin')
    const saved = await download.path()
    expect(
      createHash('sha256')
        .update(await readFile(saved))
        .digest('hex'),
    ).toBe(file.sha)
  })
})
