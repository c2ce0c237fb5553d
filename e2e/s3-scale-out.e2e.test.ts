import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { S3Client } from '@aws-sdk/client-s3'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectOnlyObject, type Instances, idOf, startInstances } from '../packages/cli/test/s3-instances.js'
import { redisUrl } from '../packages/server/test/helpers/redis-env.js'
import {
  adminClient,
  createTestBucket,
  dropTestBucket,
  objectSha256,
  s3Env,
} from '../packages/server/test/helpers/s3-env.js'
import { launchChromium } from './helpers/browser.js'
import { MiB } from './helpers/files.js'
import { assertBuilt, DEMO_DIST, ROOT } from './helpers/server.js'

// The official tus-js-client and Shuttle's browser build in Chromium against three
// `shuttle serve --store s3 --redis` behind a round-robin balancer (which also serves the page, so
// page and endpoint share an origin): paused at 40 %, resumed through whichever instance comes
// next; the object in the bucket has the sha256 the page computed.
const SIZE = 19 * MiB // two 8 MiB parts and a 3 MiB last one
const CHUNK = 8 * MiB

let tmp: string
let client: S3Client
let bucket: string
let instances: Instances
let browser: Browser
let page: Page

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-scale-'))
  client = adminClient()
  bucket = await createTestBucket(client, 'e2e-scale')
  instances = await startInstances({
    env: s3Env(),
    bucket,
    redis: redisUrl(),
    dir: tmp,
    args: ['--static', DEMO_DIST],
  })
  browser = await launchChromium()
  page = await browser.newPage()
  const origin = new URL(instances.proxy.endpoint).origin
  await page.goto(`${origin}/engine.html`)
  await page.locator('body[data-ready="true"]').waitFor()
  await page.addScriptTag({ path: `${ROOT}node_modules/tus-js-client/dist/tus.min.js` })
})

afterAll(async () => {
  await browser?.close()
  await instances?.stop()
  if (bucket) await dropTestBucket(client, bucket)
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

/** The instances (by index) that answered PATCHes of this test. */
function patchedBy(from: number): Set<string> {
  return new Set(
    instances.proxy.routed
      .slice(from)
      .filter((r) => r.startsWith('PATCH'))
      .map((r) => r.split(' ')[1] as string),
  )
}

describe('Chromium against three instances on S3', () => {
  it('tus-js-client: paused (abort) at 40 %, resumed (start); the object is the page’s bytes', async () => {
    const before = instances.proxy.routed.length
    const r = await page.evaluate(
      async ({ size, chunk }) => {
        const tus = (window as unknown as { tus: typeof import('tus-js-client') }).tus
        const bytes = new Uint8Array(size)
        for (let i = 0; i < size; i += 65536)
          crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)))
        const hex = (b: ArrayBuffer) =>
          Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('')
        const sha = hex(await crypto.subtle.digest('SHA-256', bytes))
        const blob = new Blob([bytes])
        let paused = -1
        const url = await new Promise<string>((resolve, reject) => {
          const upload: import('tus-js-client').Upload = new tus.Upload(blob, {
            endpoint: new URL('/files/', location.href).href,
            chunkSize: chunk,
            // The paused request's instance may still be storing what it read: 423, then HEAD again.
            retryDelays: [0, 200, 500, 1000, 2000],
            metadata: { filename: 'tus-js.bin' },
            onChunkComplete: (_c, accepted) => {
              if (paused < 0 && accepted >= size * 0.4) {
                paused = accepted
                void upload.abort().then(() => upload.start())
              }
            },
            onSuccess: () => resolve(upload.url ?? ''),
            onError: (err) => reject(err),
          })
          upload.start()
        })
        return { sha, url, paused }
      },
      { size: SIZE, chunk: CHUNK },
    )
    expect(r.paused).toBeGreaterThan(0)
    expect(r.paused).toBeLessThan(SIZE)
    const id = idOf(r.url)
    expect(await objectSha256(client, bucket, `tus/${id}`)).toBe(r.sha)
    await expectOnlyObject(client, bucket, id)
    expect(patchedBy(before).size).toBeGreaterThan(1)
  })

  it('the Shuttle client (browser build): paused at 40 %, resumed; the object is the page’s bytes', async () => {
    const before = instances.proxy.routed.length
    const r = await page.evaluate(
      async ({ size, chunk }) => {
        const s = window.shuttle
        const bytes = new Uint8Array(size)
        for (let i = 0; i < size; i += 65536)
          crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)))
        const hex = (b: ArrayBuffer) =>
          Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('')
        const sha = hex(await crypto.subtle.digest('SHA-256', bytes))
        const up = s.createUploader({
          endpoint: new URL('/files/', location.href).href,
          chunkSize: chunk,
          retryDelays: [0, 200, 500, 1000, 2000],
        })
        const [id] = up.add({ blob: new Blob([bytes]), name: 'shuttle.bin' })
        const failed = new Promise<never>((_, reject) =>
          up.on('failed', (p) => reject(new Error(p.error.message))),
        )
        await Promise.race([
          failed,
          new Promise<void>((resolve) => {
            const off = up.on('progress', (p) => {
              if (p.bytesConfirmed >= size * 0.4) {
                off()
                up.pause(id as string)
                resolve()
              }
            })
          }),
        ])
        const paused = up.getFile(id as string)?.bytesConfirmed ?? -1
        const status = up.getFile(id as string)?.status
        up.resume(id as string)
        const done = await Promise.race([
          failed,
          new Promise<{ url: string }>((resolve) => up.on('completed', resolve)),
        ])
        await up.destroy()
        return { sha, url: done.url, paused, status }
      },
      { size: SIZE, chunk: CHUNK },
    )
    expect(r.status).toBe('paused')
    expect(r.paused).toBeGreaterThan(0)
    expect(r.paused).toBeLessThan(SIZE)
    const id = idOf(r.url)
    expect(await objectSha256(client, bucket, `tus/${id}`)).toBe(r.sha)
    await expectOnlyObject(client, bucket, id)
    expect(patchedBy(before).size).toBeGreaterThan(1)
  })
})
