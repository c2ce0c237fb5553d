import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { S3Client } from '@aws-sdk/client-s3'
import { createUploader } from '@shuttle/core'
import { waitUntil } from '@shuttle/server/conformance'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type CliServer, spawnCli } from '../../server/test/helpers/cli.js'
import { jsUpload } from '../../server/test/helpers/js-client.js'
import { redisUrl } from '../../server/test/helpers/redis-env.js'
import {
  adminClient,
  createTestBucket,
  dropTestBucket,
  objectSha256,
  s3Env,
} from '../../server/test/helpers/s3-env.js'
import { assertBuilt } from './helpers.js'
import { type RoundRobinProxy, startRoundRobinProxy } from './round-robin-proxy.js'

// SIGTERM to the instance streaming a 200 MiB PATCH, one of two `shuttle serve --store s3 --redis`
// behind a balancer on Ceph RGW: it stores what arrived, releases the Redis lease (not left to
// expire), exits 0 within --shutdown-timeout, and the client finishes through the other instance.
const MiB = 1024 * 1024
const SIZE = 200 * MiB
const TTL = 10_000 // the Redis lease's ttl in `shuttle serve`
const SHUTDOWN = 10_000

let client: S3Client
let bucket: string
let dir: string
let file: string
let source: string
let redis: Redis
const servers: CliServer[] = []
let proxy: RoundRobinProxy | undefined

beforeAll(async () => {
  assertBuilt()
  client = adminClient()
  bucket = await createTestBucket(client, 'sigterm')
  dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-sigterm-'))
  const bytes = randomBytes(SIZE)
  source = createHash('sha256').update(bytes).digest('hex')
  file = path.join(dir, 'big.bin')
  await writeFile(file, bytes)
  redis = new Redis(redisUrl())
})
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
  await Promise.all(servers.splice(0).map((s) => s.stop('SIGKILL')))
})
afterAll(async () => {
  redis.disconnect()
  await dropTestBucket(client, bucket)
  await rm(dir, { recursive: true, force: true })
})

async function twoInstances(): Promise<[CliServer, CliServer]> {
  const env = s3Env()
  const args = [
    ...['--store', 's3', '--s3-bucket', bucket, '--s3-endpoint', env.endpoint],
    ...['--s3-access-key', env.accessKeyId, '--s3-secret-key', env.secretAccessKey],
    ...['--redis', redisUrl(), '--metrics', '--shutdown-timeout', `${SHUTDOWN / 1000}s`],
  ]
  const started = await Promise.all([0, 1].map((k) => spawnCli(path.join(dir, `unused-${k}`), args)))
  servers.push(...started)
  proxy = await startRoundRobinProxy(started.map((s) => s.endpoint))
  return started as [CliServer, CliServer]
}

async function metric(server: CliServer, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}

/** The instance whose PATCH is running now (its active-PATCH gauge is 1). */
async function streamingInstance(pair: [CliServer, CliServer]): Promise<[CliServer, CliServer]> {
  let found: [CliServer, CliServer] | undefined
  await waitUntil(
    async () => {
      const [a, b] = pair
      if ((await metric(a, 'shuttle_active_patches')) === 1) found = [a, b]
      else if ((await metric(b, 'shuttle_active_patches')) === 1) found = [b, a]
      return found !== undefined
    },
    10_000,
    'one instance streams the PATCH',
  )
  return found as [CliServer, CliServer]
}

/**
 * SIGTERMs `holder` and measures: how long until its Redis lease is gone (released, or another
 * instance's), whether it was gone the moment the process exited, and the exit code and time.
 */
async function terminate(holder: CliServer, uploadId: string) {
  const key = `shuttle:lock:{${uploadId}}`
  const mine = (value: string | null) => value?.includes(`/${holder.pid}/`) ?? false
  expect(mine(await redis.get(key))).toBe(true) // it holds the lease now
  const sentAt = performance.now()
  holder.child.kill('SIGTERM')
  let releasedMs = Number.NaN
  await waitUntil(
    async () => {
      if (mine(await redis.get(key))) return false
      releasedMs = performance.now() - sentAt
      return true
    },
    TTL + 5000,
    "the terminated instance's lease is gone",
  )
  const { code, signal } = await holder.exited
  const exitMs = performance.now() - sentAt
  return { code, signal, exitMs, releasedMs, output: holder.output() }
}

describe('SIGTERM during a 200 MiB PATCH, two instances sharing Redis and RGW', () => {
  it('the Shuttle client (Node): the instance stores what arrived, releases its lease at once, exits 0; the client resumes on the other; the object is the file', async () => {
    const pair = await twoInstances()
    const up = createUploader({ endpoint: proxy!.endpoint, retryDelays: [0, 200, 500, 1000, 2000] })
    try {
      const [id] = up.add([file]) as [string]
      let sent = 0
      up.on('progress', (e) => {
        if (e.id === id) sent = e.bytesSent
      })
      await waitUntil(() => sent >= SIZE * 0.3, 60_000, '30 % of the file is sent')
      const [holder, other] = await streamingInstance(pair)
      const uploadId = new URL(up.getFile(id)?.url ?? '').pathname.split('/').pop() ?? ''
      const t = await terminate(holder, uploadId)
      expect({ code: t.code, signal: t.signal }, t.output).toEqual({ code: 0, signal: null })
      expect(t.exitMs).toBeLessThan(SHUTDOWN + 1000)
      expect(t.output).toMatch(/SIGTERM: draining/)
      expect(t.output).toMatch(/Stopped: every running write stored what arrived and released its lock/)
      // Released by the instance, not left to expire: well inside the ttl.
      expect(t.releasedMs).toBeLessThan(TTL / 4)
      await waitUntil(() => up.getFile(id)?.status === 'completed', 90_000, 'the upload completes')
      expect(await objectSha256(client, bucket, `tus/${uploadId}`)).toBe(source)
      // The other instance received only what the terminated one had not stored.
      const resumed = await metric(other, 'shuttle_bytes_received_total')
      expect(resumed).toBeLessThan(SIZE * 0.75)
      expect(await metric(other, 'shuttle_lock_takeovers_total{how="expired"}')).toBe(0)
      console.log(
        `[s3-sigterm] Node client: lease gone ${Math.round(t.releasedMs)} ms after SIGTERM (ttl ${TTL}), exit 0 after ${Math.round(t.exitMs)} ms; the other instance took ${Math.round(resumed / MiB)} MiB of ${SIZE / MiB}`,
      )
    } finally {
      await up.destroy()
    }
  })

  it('tus-js-client: the same, and the object is the file', async () => {
    const pair = await twoInstances()
    let sent = 0
    let uploadUrl = ''
    const done = jsUpload(file, {
      endpoint: proxy!.endpoint,
      retryDelays: [0, 200, 500, 1000, 2000],
      onProgress: (n) => {
        sent = n
      },
      onAfterResponse: (_req, res) => {
        const location = res.getHeader('Location')
        if (location && !uploadUrl) uploadUrl = location
      },
    })
    await waitUntil(() => sent >= SIZE * 0.3 && uploadUrl !== '', 60_000, '30 % of the file is sent')
    const [holder, other] = await streamingInstance(pair)
    const uploadId = new URL(uploadUrl, proxy!.endpoint).pathname.split('/').pop() ?? ''
    const t = await terminate(holder, uploadId)
    expect({ code: t.code, signal: t.signal }, t.output).toEqual({ code: 0, signal: null })
    expect(t.exitMs).toBeLessThan(SHUTDOWN + 1000)
    expect(t.releasedMs).toBeLessThan(TTL / 4)
    expect(new URL(await done).pathname).toBe(new URL(uploadUrl, proxy!.endpoint).pathname)
    expect(await objectSha256(client, bucket, `tus/${uploadId}`)).toBe(source)
    const resumed = await metric(other, 'shuttle_bytes_received_total')
    expect(resumed).toBeLessThan(SIZE * 0.75)
    console.log(
      `[s3-sigterm] tus-js-client: lease gone ${Math.round(t.releasedMs)} ms after SIGTERM (ttl ${TTL}), exit 0 after ${Math.round(t.exitMs)} ms; the other instance took ${Math.round(resumed / MiB)} MiB of ${SIZE / MiB}`,
    )
  })
})
