import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import type { Browser, Page } from 'playwright-core'
import { build } from 'vite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  adminClient,
  createTestBucket,
  dropTestBucket,
  objectSha256,
  s3Env,
} from '../packages/server/test/helpers/s3-env.js'
import { launchChromium } from './helpers/browser.js'
import { MiB } from './helpers/files.js'
import { assertBuilt, ROOT, type RunningServer, startServer } from './helpers/server.js'

// Uppy's @uppy/aws-s3 with its default options (only `companionEndpoint`) in Chromium against the
// signing routes of `shuttle serve --s3-bucket` on Ceph RGW. Both files are below Uppy's 100 MiB
// multipart threshold, so Uppy asks GET /s3/params and posts each file in one form to the bucket.
const run = promisify(execFile)

let tmp: string
let client: S3Client
let bucket: string
let server: RunningServer
let browser: Browser
let page: Page

beforeAll(async () => {
  assertBuilt()
  const env = s3Env()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-uppy-'))
  // The page: Uppy bundled as users bundle it.
  const out = join(tmp, 'page')
  await build({
    root: join(ROOT, 'e2e', 'uppy'),
    logLevel: 'warn',
    configFile: false,
    build: { outDir: out, emptyOutDir: true },
  })
  client = adminClient()
  bucket = await createTestBucket(client, 'uppy')
  const keys = ['--s3-access-key', env.accessKeyId, '--s3-secret-key', env.secretAccessKey]
  server = await startServer(
    join(tmp, 'uploads'),
    ['--s3-bucket', bucket, '--s3-endpoint', env.endpoint, ...keys],
    out,
  )
  // The page posts to the bucket from the server's origin: the bucket's CORS rules allow it.
  await run(process.execPath, [
    `${ROOT}packages/cli/bin/shuttle.js`,
    's3-cors',
    '--bucket',
    bucket,
    '--origin',
    server.origin,
    '--s3-endpoint',
    env.endpoint,
    ...keys,
  ])
  browser = await launchChromium()
  page = await browser.newPage()
  await page.goto(`${server.origin}/index.html`)
  await page.locator('body[data-ready="true"]').waitFor()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  if (bucket) await dropTestBucket(client, bucket)
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('@uppy/aws-s3 (default options) against shuttle serve --s3-bucket, in Chromium', () => {
  it('uploads a 100 KiB and a 30 MiB file; each object in the bucket has the file’s sha256 and type', async () => {
    const files = [
      { name: 'small.txt', size: 100 * 1024, type: 'text/plain' },
      { name: 'video.mp4', size: 30 * MiB, type: 'video/mp4' },
    ]
    const r = await page.evaluate(async (files) => {
      const { Uppy, AwsS3 } = window.uppyParts
      const uppy = new Uppy().use(AwsS3, { companionEndpoint: location.origin })
      const hex = (b: ArrayBuffer) =>
        Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('')
      const shas: Record<string, string> = {}
      for (const f of files) {
        const bytes = new Uint8Array(f.size)
        for (let i = 0; i < f.size; i += 65536)
          crypto.getRandomValues(bytes.subarray(i, Math.min(f.size, i + 65536)))
        shas[f.name] = hex(await crypto.subtle.digest('SHA-256', bytes))
        uppy.addFile({ name: f.name, type: f.type, data: new Blob([bytes], { type: f.type }) })
      }
      const result = await uppy.upload()
      return {
        shas,
        successful: (result?.successful ?? []).map((f) => f.name),
        failed: (result?.failed ?? []).map((f) => `${f.name}: ${String(f.error)}`),
      }
    }, files)
    expect(r.failed).toEqual([])
    expect(r.successful.sort()).toEqual(['small.txt', 'video.mp4'])
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
    for (const f of files) {
      const key = (listed.Contents ?? []).map((o) => o.Key ?? '').find((k) => k.endsWith(`/${f.name}`))
      expect(key, `an object for ${f.name}`).toMatch(/^[0-9a-f]{32}\//)
      expect(await objectSha256(client, bucket, key as string)).toBe(r.shas[f.name])
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
      expect(head.ContentType).toBe(f.type)
      expect(head.ContentLength).toBe(f.size)
    }
  })
})
