import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { S3Client } from '@aws-sdk/client-s3'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  adminClient,
  createTestBucket,
  dropTestBucket,
  objectSha256,
  s3Env,
} from '../packages/server/test/helpers/s3-env.js'
import { type S3Proxy, startS3Proxy } from '../packages/server/test/helpers/s3-proxy.js'
import { launchChromium } from './helpers/browser.js'
import { MiB, makeFile } from './helpers/files.js'
import { phaseOf, until, waitForPhase } from './helpers/page.js'
import { assertBuilt, ROOT, type RunningServer, startServer } from './helpers/server.js'

// The demo in protocol 's3' mode (/?protocol=s3): real Chromium sends the parts straight to Ceph RGW
// (through a recording, throttling proxy), each presigned by `shuttle serve --s3-bucket`; the
// bucket's CORS rules come from `shuttle s3-cors`. Paused mid-file and resumed once.
const SIZE = 30 * MiB
const PART = 8 * MiB
const run = promisify(execFile)

let tmp: string
let client: S3Client
let bucket: string
let proxy: S3Proxy
let server: RunningServer
let browser: Browser
let page: Page

beforeAll(async () => {
  assertBuilt()
  const env = s3Env()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-s3-'))
  client = adminClient()
  bucket = await createTestBucket(client, 'e2e')
  proxy = await startS3Proxy(env.endpoint)
  const keys = ['--s3-access-key', env.accessKeyId, '--s3-secret-key', env.secretAccessKey]
  // Presigned URLs name the proxy, so every part PUT is counted on its way to RGW.
  server = await startServer(join(tmp, 'uploads'), [
    '--s3-bucket',
    bucket,
    '--s3-endpoint',
    proxy.endpoint,
    ...keys,
  ])
  const cors = await run(process.execPath, [
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
  expect(cors.stdout).toContain(server.origin)
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1180, height: 900 } })
  await page.goto(`${server.origin}/?protocol=s3`)
  await page.locator('.shuttle-upload').waitFor()
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
  await proxy?.close()
  if (bucket) await dropTestBucket(client, bucket)
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

describe('demo in protocol s3 mode, in Chromium', () => {
  it('uploads a file straight to RGW, paused and resumed once; only missing parts are sent again', async () => {
    const f = await makeFile(tmp, 'satellite.bin', SIZE)
    proxy.setRate(4 * MiB)
    await page.locator('input[type="file"]').setInputFiles([f.path])
    const stored = () => proxy.partPuts().filter((e) => e.status === 200)
    await until('one part stored in the bucket', () => stored().length >= 1)
    await page.getByRole('button', { name: 'Pause satellite.bin' }).click()
    await waitForPhase(page, 'satellite.bin', 'paused')
    const pausedAt = Date.now()
    proxy.setRate(null)
    await new Promise((r) => setTimeout(r, 1500))
    expect(await phaseOf(page, 'satellite.bin')).toBe('paused')
    expect(proxy.partPuts().filter((e) => e.start > pausedAt)).toEqual([]) // paused: no part PUT
    const uploadId = proxy.partPuts()[0]?.uploadId ?? ''
    const keptBefore = new Set(stored().map((e) => e.partNumber))
    expect(keptBefore.size).toBeGreaterThanOrEqual(1)
    expect(keptBefore.size).toBeLessThan(Math.ceil(SIZE / PART))

    const resumedAt = Date.now()
    await page.getByRole('button', { name: 'Resume satellite.bin' }).click()
    await waitForPhase(page, 'satellite.bin', 'completed')
    const after = proxy.log.filter((e) => e.start >= resumedAt && e.uploadId === uploadId)
    // Resume asked S3 which parts it has (ListParts), then sent only the others.
    expect(after.some((e) => e.method === 'GET' && e.partNumber === null)).toBe(true)
    const resent = after.filter((e) => e.method === 'PUT').map((e) => e.partNumber as number)
    expect(resent.filter((n) => keptBefore.has(n))).toEqual([])
    expect(new Set([...keptBefore, ...resent]).size).toBe(Math.ceil(SIZE / PART))

    const key = decodeURIComponent(
      new URL(after.find((e) => e.method === 'PUT')?.path ?? '', 'http://x').pathname,
    )
      .split('/')
      .slice(2)
      .join('/')
    expect(key).toMatch(/^[0-9a-f]{32}\/satellite\.bin$/)
    expect(await objectSha256(client, bucket, key)).toBe(f.sha)
  })
})
