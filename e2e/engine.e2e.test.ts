import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from './helpers/browser.js'
import { fetchSha, MiB } from './helpers/files.js'
import { startProxy, type ThrottleProxy } from './helpers/proxy.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// @shuttle/core's browser build on its own (apps/demo/engine.html bundles it as window.shuttle):
// Blob slicing, XHR upload progress, and checkpoints in localStorage and IndexedDB that let a new
// uploader instance resume an upload an earlier one paused.
const SIZE = 6 * MiB
const CHUNK = 512 * 1024

let tmp: string
let server: RunningServer
let proxy: ThrottleProxy
let browser: Browser
let page: Page

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-engine-'))
  server = await startServer(join(tmp, 'uploads'))
  proxy = await startProxy(server.origin, 3 * MiB)
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

describe('@shuttle/core browser build in Chromium', () => {
  it.each(['localStorage', 'indexedDB'] as const)(
    'uploads a Blob in slices with XHR progress; a %s checkpoint lets a new uploader resume it',
    async (kind) => {
      const r = await page.evaluate(
        async ({ kind, size, chunk }) => {
          const s = window.shuttle
          const bytes = new Uint8Array(size)
          for (let i = 0; i < size; i += 65536)
            crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)))
          const hex = (b: ArrayBuffer) =>
            Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('')
          const sha = hex(await crypto.subtle.digest('SHA-256', bytes))
          const blob = new Blob([bytes], { type: 'application/octet-stream' })
          const store =
            kind === 'localStorage'
              ? s.createLocalStorageCheckpointStore()
              : s.createIndexedDbCheckpointStore()
          const endpoint = new URL('/files/', location.href).href
          const name = `engine-${kind}.bin`

          const first = s.createUploader({ endpoint, chunkSize: chunk, checkpointStore: store })
          const sent: number[] = []
          first.on('progress', (p) => sent.push(p.bytesSent))
          const [id1] = first.add({ blob, name })
          await new Promise<void>((ok, fail) => {
            first.on('failed', (p) => fail(new Error(p.error.message)))
            const off = first.on('progress', (p) => {
              if (p.bytesConfirmed > size * 0.4) {
                off()
                ok()
              }
            })
          })
          first.pause(id1!)
          const paused = first.getFile(id1!)
          const saved = (await store.list?.()) ?? []
          const raw =
            kind === 'localStorage'
              ? Object.keys(localStorage).filter((k) => k.startsWith('shuttle'))
              : saved.map((c) => c.fingerprint)
          await first.destroy()

          const second = s.createUploader({ endpoint, chunkSize: chunk, checkpointStore: store })
          let resumedFrom = -1
          second.on('progress', (p) => {
            if (resumedFrom < 0) resumedFrom = p.bytesConfirmed
          })
          const [id2] = second.add({ blob, name })
          const done = await new Promise<{ url: string }>((ok, fail) => {
            second.on('completed', ok)
            second.on('failed', (p) => fail(new Error(p.error.message)))
          })
          const left = (await store.list?.()) ?? []
          await second.destroy()
          return {
            sha,
            url: done.url,
            pausedUrl: paused?.url,
            pausedConfirmed: paused?.bytesConfirmed ?? 0,
            progressEvents: sent.length,
            // Kept by fingerprint; also under its content identity (our server offers instant
            // upload, so the file was hashed): that is the same checkpoint under a second key.
            checkpoints: saved.filter(
              (c) => c.checkpoint.url === paused?.url && !c.fingerprint.startsWith('shuttle-identity:'),
            ).length,
            identityKeys: saved.filter(
              (c) => c.checkpoint.url === paused?.url && c.fingerprint.startsWith('shuttle-identity:'),
            ).length,
            storageKeys: raw.length,
            resumedFrom,
            leftForThisUpload: left.filter((c) => c.checkpoint.url === done.url && !c.checkpoint.finished)
              .length,
            finishedForThisUpload: left.filter(
              (c) =>
                c.checkpoint.url === done.url &&
                c.checkpoint.finished &&
                !c.fingerprint.startsWith('shuttle-identity:'),
            ).length,
            second: id2,
          }
        },
        { kind, size: SIZE, chunk: CHUNK },
      )

      // XHR upload progress: several events per chunk, not one per request.
      expect(r.progressEvents).toBeGreaterThan(SIZE / CHUNK / 2)
      // The checkpoint was in the chosen store while paused, and was used by the second uploader.
      expect(r.checkpoints).toBe(1)
      expect(r.identityKeys).toBe(1)
      expect(r.storageKeys).toBeGreaterThan(0)
      expect(r.pausedConfirmed).toBeGreaterThan(0)
      expect(r.resumedFrom).toBeGreaterThanOrEqual(r.pausedConfirmed)
      expect(r.url).toBe(r.pausedUrl)
      expect(proxy.created.filter((c) => c.filename === `engine-${kind}.bin`)).toHaveLength(1)
      // Bytes the server confirmed were not sent again (at most the chunk in flight at pause).
      const path = new URL(r.url).pathname
      expect(proxy.patchBytes.get(path)).toBeLessThanOrEqual(SIZE + CHUNK)
      // A finished upload leaves no resumable checkpoint behind, only its "finished" mark
      // (rememberFinished, the browser default: the same file picked again is recognised).
      expect(r.leftForThisUpload).toBe(0)
      expect(r.finishedForThisUpload).toBe(1)
      const got = await fetchSha(r.url)
      expect(got.size).toBe(SIZE)
      expect(got.sha).toBe(r.sha)
    },
  )
})
