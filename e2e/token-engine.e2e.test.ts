import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './helpers/browser.js'
import { fetchSha, MiB } from './helpers/files.js'
import { startProxy, type ThrottleProxy } from './helpers/proxy.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// @shuttle/core's browser build (apps/demo/engine.html) against `shuttle serve` requiring upload
// tokens that live 2 seconds (--demo-tokens: the server's `tokens` option with POST /demo-token as
// the app's token endpoint). Three 40 MiB Blobs, throttled so that every file runs through
// several expiries; the proxy sees which token each 401 refused.
const SIZE = 40 * MiB
const CHUNK = 2 * MiB
const RATE = 8 * MiB

let tmp: string
let server: RunningServer
let proxy: ThrottleProxy
let browser: Browser
let page: Page

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-token-engine-'))
  server = await startServer(join(tmp, 'uploads'), ['--demo-tokens', '--demo-token-expires', '2s'])
  proxy = await startProxy(server.origin, RATE)
  browser = await launchChromium()
  page = await browser.newPage()
  await page.goto(`${proxy.origin}/engine.html`)
  await page.locator('body[data-ready="true"]').waitFor()
})

afterAll(async () => {
  await browser?.close()
  await proxy?.close()
  await server?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('@shuttle/core in Chromium with 2-second upload tokens', () => {
  it('three 40 MiB files: one refresh per expired token, shared by every file, bytes identical', async () => {
    const r = await page.evaluate(
      async ({ size, chunk }) => {
        const s = window.shuttle
        const hex = (b: ArrayBuffer) =>
          Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('')
        const blobs = await Promise.all(
          [0, 1, 2].map(async () => {
            const bytes = new Uint8Array(size)
            for (let i = 0; i < size; i += 65536)
              crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)))
            return { blob: new Blob([bytes]), sha: hex(await crypto.subtle.digest('SHA-256', bytes)) }
          }),
        )
        // What an app does: ask its backend for a token, and again when the engine says it expired.
        let subject: string | undefined
        const issued: Array<{ token: string; expiresAt: number }> = []
        const fetchToken = async () => {
          const res = await fetch('/demo-token', { method: 'POST', body: JSON.stringify({ subject }) })
          const body = (await res.json()) as { token: string; subject: string }
          subject = body.subject
          const exp = JSON.parse(atob(body.token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).exp
          issued.push({ token: body.token, expiresAt: exp * 1000 })
          return body.token
        }
        let token = await fetchToken()
        const refreshes: string[] = []
        const up = s.createUploader({
          endpoint: new URL('/files/', location.href).href,
          chunkSize: chunk,
          maxConcurrentUploads: 3,
          headers: () => ({ Authorization: `Bearer ${token}` }),
          onAuthExpired: async () => {
            refreshes.push(token)
            token = await fetchToken()
          },
        })
        const started = Date.now()
        const ids = up.add(blobs.map((b, i) => ({ blob: b.blob, name: `token-${i}.bin` })))
        const urls = await Promise.all(
          ids.map(
            (id) =>
              new Promise<string>((ok, fail) => {
                up.on('completed', (p) => {
                  if (p.id === id) ok(p.url)
                })
                up.on('failed', (p) => {
                  if (p.id === id) fail(new Error(p.error.message))
                })
              }),
          ),
        )
        const ended = Date.now()
        await up.destroy()
        return {
          urls,
          shas: blobs.map((b) => b.sha),
          refreshes,
          issued,
          subject,
          seconds: (ended - started) / 1000,
          expiries: issued.filter((t) => t.expiresAt <= ended).length,
        }
      },
      { size: SIZE, chunk: CHUNK },
    )

    const refused = proxy.requests.filter((q) => q.path.startsWith('/files/') && q.status === 401)
    const refusedTokens = new Set(refused.map((q) => q.token))
    console.info(
      `Chromium: tokens issued ${r.issued.length}, expired during the run ${r.expiries}, 401s ${refused.length} ` +
        `(for ${refusedTokens.size} tokens), refreshes ${r.refreshes.length}, ${r.seconds.toFixed(1)} s`,
    )
    expect(r.refreshes.length).toBeGreaterThanOrEqual(1)
    expect(r.refreshes.length).toBeLessThanOrEqual(r.expiries)
    // Exactly one refresh per expired token, whichever files its 401s reached.
    expect([...r.refreshes].sort()).toEqual([...refusedTokens].sort())
    expect(new Set(r.refreshes).size).toBe(r.refreshes.length)
    for (const q of refused) {
      const t = r.issued.find((i) => i.token === q.token)
      expect(t, 'a 401 for a token the endpoint never issued').toBeDefined()
    }
    // One creation per file (none started over), and the server holds exactly the page's bytes.
    expect(proxy.created).toHaveLength(3)
    // Read back with a fresh token of the page's subject for each file: a 2-second token can
    // expire while the previous 40 MiB download runs.
    const freshToken = async () => {
      const res = await fetch(`${proxy.origin}/demo-token`, {
        method: 'POST',
        body: JSON.stringify({ subject: r.subject }),
      })
      return ((await res.json()) as { token: string }).token
    }
    for (const [i, url] of r.urls.entries()) {
      const got = await fetchSha(url, { Authorization: `Bearer ${await freshToken()}` })
      expect(got.status).toBe(200)
      expect(got.size).toBe(SIZE)
      expect(got.sha).toBe(r.shas[i])
    }
  })
})
