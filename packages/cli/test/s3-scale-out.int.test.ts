import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { createUploader } from '@shuttle/core'
import { waitUntil } from '@shuttle/server/conformance'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../../test/services/free-port.js'
import { startRedisServer } from '../../redis-locker/test/redis-server.js'
import { type CliServer, spawnCli } from '../../server/test/helpers/cli.js'
import { jsUpload, jsUploadThenAbort } from '../../server/test/helpers/js-client.js'
import { redisUrl } from '../../server/test/helpers/redis-env.js'
import {
  adminClient,
  createTestBucket,
  dropTestBucket,
  objectSha256,
  s3Env,
} from '../../server/test/helpers/s3-env.js'
import { assertBuilt, runCli } from './helpers.js'
import { openPatch, rawPatch } from './raw-patch.js'
import { type RoundRobinProxy, startRoundRobinProxy } from './round-robin-proxy.js'

// Three `shuttle serve --store s3 --redis` behind a round-robin balancer, on Ceph RGW and a real
// redis-server: the bytes live in the bucket, the locks in Redis, and any instance may die.
const MiB = 1024 * 1024
const P = 8 * MiB // the store's part size for these sizes
const TTL = 10_000 // the Redis lock's ttl in `shuttle serve`
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const tus = { 'Tus-Resumable': '1.0.0' }

let client: S3Client
let bucket: string
let dir: string
const servers: CliServer[] = []
let proxy: RoundRobinProxy | undefined

beforeAll(async () => {
  assertBuilt()
  client = adminClient()
  bucket = await createTestBucket(client, 'scale')
  dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-scale-'))
})
const redisStops: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const stop of redisStops.splice(0)) await stop()
  await proxy?.close()
  proxy = undefined
  await Promise.all(servers.splice(0).map((s) => s.stop('SIGKILL')))
})
afterAll(async () => {
  await dropTestBucket(client, bucket)
  await rm(dir, { recursive: true, force: true })
})

const s3Flags = () => {
  const env = s3Env()
  return [
    '--s3-endpoint',
    env.endpoint,
    '--s3-access-key',
    env.accessKeyId,
    '--s3-secret-key',
    env.secretAccessKey,
  ]
}

async function threeInstances(): Promise<[CliServer, CliServer, CliServer]> {
  const args = ['--store', 's3', '--s3-bucket', bucket, ...s3Flags(), '--redis', redisUrl()]
  const started = await Promise.all([0, 1, 2].map((k) => spawnCli(path.join(dir, `unused-${k}`), args)))
  servers.push(...started)
  proxy = await startRoundRobinProxy(started.map((s) => s.endpoint))
  return started as [CliServer, CliServer, CliServer]
}

async function create(endpoint: string, size: number): Promise<string> {
  const res = await fetch(endpoint, { method: 'POST', headers: { ...tus, 'Upload-Length': String(size) } })
  expect(res.status).toBe(201)
  return new URL(res.headers.get('location') ?? '').pathname.split('/').pop() ?? ''
}

async function head(url: string): Promise<Response> {
  return fetch(url, { method: 'HEAD', headers: tus, signal: AbortSignal.timeout(20_000) })
}

/** Nothing of the upload but its object and info is left in the bucket. */
async function expectOnlyObject(id: string): Promise<void> {
  const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `tus/${id}` }))
  expect(open.Uploads ?? []).toEqual([])
  const keys = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `tus/${id}` }))
  expect((keys.Contents ?? []).map((o) => o.Key).sort()).toEqual([`tus/${id}`, `tus/${id}.info`])
}

describe('three shuttle serve --store s3 --redis behind a balancer', () => {
  it('SIGKILL of the instance streaming a PATCH: others answer 423 (never 5xx) until its lock expires, then the client resumes; the object is the source', async () => {
    const [a] = await threeInstances()
    const body = randomBytes(P + 5 * MiB)
    const id = await create(proxy!.endpoint, body.length)
    const streaming = openPatch(`${a.endpoint}${id}`, 0, body.length)
    streaming.send(body.subarray(0, P + 2 * MiB))
    // A stored part 1 (its first P bytes) and holds 2 MiB more in memory, unacknowledged.
    await waitForParts(id, 1)
    await a.stop('SIGKILL')
    const killedAt = performance.now()
    const statuses: number[] = []
    let offset = -1
    while (performance.now() - killedAt < TTL + 5000) {
      const res = await head(`${proxy!.endpoint}${id}`)
      statuses.push(res.status)
      if (res.status === 200) {
        offset = Number(res.headers.get('upload-offset'))
        break
      }
    }
    const waited = performance.now() - killedAt
    expect(
      statuses.filter((s) => s !== 423 && s !== 200),
      statuses.join(','),
    ).toEqual([])
    expect(statuses.at(-1)).toBe(200)
    // Free once the dead holder's last renewal (≤ ttl/3 before the kill) ran out: within ttl (+ a HEAD).
    expect(waited).toBeLessThan(TTL + 1000)
    expect(offset).toBe(P)
    const done = await rawPatch(`${proxy!.endpoint}${id}`, offset, body.subarray(offset))
    expect(done).toEqual({ status: 204, offset: body.length })
    expect(await objectSha256(client, bucket, `tus/${id}`)).toBe(sha(body))
    await expectOnlyObject(id)
    console.log(`[s3-scale-out] lock of the killed instance free after ${Math.round(waited)} ms (ttl ${TTL})`)
  })

  it('SIGSTOP of the streaming instance: another takes over after the ttl and finishes; after SIGCONT the stopped one changes nothing in S3', async () => {
    const [a, b, c] = await threeInstances()
    const body = randomBytes(P + 3 * MiB)
    const id = await create(a.endpoint, body.length)
    const streaming = openPatch(`${a.endpoint}${id}`, 0, body.length)
    streaming.send(body.subarray(0, P + MiB))
    await waitForParts(id, 1)
    a.child.kill('SIGSTOP') // a long GC pause, a frozen VM
    let offset = -1
    const statuses: number[] = []
    const stoppedAt = performance.now()
    while (performance.now() - stoppedAt < TTL + 5000) {
      const res = await head(`${b.endpoint}${id}`)
      statuses.push(res.status)
      if (res.status === 200) {
        offset = Number(res.headers.get('upload-offset'))
        break
      }
    }
    expect(
      statuses.filter((s) => s !== 423 && s !== 200),
      statuses.join(','),
    ).toEqual([])
    expect(offset).toBe(P)
    expect(await rawPatch(`${c.endpoint}${id}`, offset, body.subarray(offset))).toEqual({
      status: 204,
      offset: body.length,
    })
    const before = await snapshot(id)
    a.child.kill('SIGCONT')
    // Its PATCH wakes up to a lease that ran out while it was stopped: it stores nothing and says so.
    expect(await streaming.answer).toBe(423)
    expect(await snapshot(id)).toEqual(before)
    expect(await objectSha256(client, bucket, `tus/${id}`)).toBe(sha(body))
    await expectOnlyObject(id)
  })

  it('Redis restarted mid-PATCH: the PATCH stops (423), requests meanwhile get 503, and once Redis is back the upload resumes intact', async () => {
    const port = await freePort()
    let redis = await startRedisServer(port)
    redisStops.push(() => redis.stop())
    const args = ['--store', 's3', '--s3-bucket', bucket, ...s3Flags(), '--redis', redis.url]
    const [a, b] = await Promise.all([0, 1].map((k) => spawnCli(path.join(dir, `unused-r${k}`), args)))
    servers.push(a as CliServer, b as CliServer)
    const body = randomBytes(P + 3 * MiB)
    const id = await create((a as CliServer).endpoint, body.length)
    const streaming = openPatch(`${(a as CliServer).endpoint}${id}`, 0, body.length)
    streaming.send(body.subarray(0, P + MiB))
    await waitForParts(id, 1)
    await redis.stop()
    // A's lease runs out unrenewed (3/4 ttl): its PATCH stops before storing anything more.
    expect(await streaming.answer).toBe(423)
    expect((await head(`${(b as CliServer).endpoint}${id}`)).status).toBe(503)
    redis = await startRedisServer(port)
    let res = await head(`${(b as CliServer).endpoint}${id}`)
    const back = performance.now()
    while (res.status !== 200 && performance.now() - back < 10_000)
      res = await head(`${(b as CliServer).endpoint}${id}`)
    expect(res.status).toBe(200)
    const offset = Number(res.headers.get('upload-offset'))
    expect(offset).toBe(P) // part 1; the MiB A held in memory was never acknowledged
    expect(await rawPatch(`${(b as CliServer).endpoint}${id}`, offset, body.subarray(offset))).toEqual({
      status: 204,
      offset: body.length,
    })
    expect(await objectSha256(client, bucket, `tus/${id}`)).toBe(sha(body))
    await expectOnlyObject(id)
  })

  it('a HEAD through B while A streams: A stores what it has (part 1 and a tail) and releases, B answers in < 1 s, C finishes', async () => {
    const [a, b, c] = await threeInstances()
    const body = randomBytes(P + 3 * MiB)
    const id = await create(a.endpoint, body.length)
    // B has served a request before (its S3 client warm), as instances behind a balancer have.
    expect((await head(`${b.endpoint}${id}`)).status).toBe(200)
    const slow = openPatch(`${a.endpoint}${id}`, 0, body.length)
    slow.send(body.subarray(0, P + MiB))
    await waitForParts(id, 1) // A is streaming: part 1 is stored, the next MiB is in its buffer
    const started = performance.now()
    const res = await head(`${b.endpoint}${id}`)
    const took = performance.now() - started
    expect(res.status).toBe(200)
    const offset = Number(res.headers.get('upload-offset'))
    // Part 1 and, as a tail, what A had read of the next MiB (all of it: it read while part 1 went out).
    expect(offset).toBeGreaterThan(P)
    expect(offset).toBeLessThanOrEqual(P + MiB)
    expect(took).toBeLessThan(1000)
    expect(await slow.answer).toBe(423)
    expect(await rawPatch(`${c.endpoint}${id}`, offset, body.subarray(offset))).toEqual({
      status: 204,
      offset: body.length,
    })
    expect(await objectSha256(client, bucket, `tus/${id}`)).toBe(sha(body))
    await expectOnlyObject(id)
    console.log(`[s3-scale-out] cross-instance release: HEAD answered in ${Math.round(took)} ms`)
  })

  it('tus-js-client through the balancer: paused at 40 %, resumed through whichever instance; the object is the file', async () => {
    await threeInstances()
    const bytes = randomBytes(2 * P + 3 * MiB)
    const file = path.join(dir, 'js-client.bin')
    await writeFile(file, bytes)
    const url = await jsUploadThenAbort(file, bytes.length, 0.4, { endpoint: proxy!.endpoint })
    const resumed = await jsUpload(file, {
      endpoint: proxy!.endpoint,
      uploadUrl: url,
      // The paused request's instance may still be storing what it read: 423/409, then HEAD again.
      retryDelays: [0, 200, 500, 1000, 2000],
    })
    expect(resumed).toBe(url)
    const id = new URL(url).pathname.split('/').pop() ?? ''
    expect(await objectSha256(client, bucket, `tus/${id}`)).toBe(sha(bytes))
    await expectOnlyObject(id)
    // The balancer spread the requests over the instances.
    expect(new Set(proxy!.routed.map((r) => r.split(' ')[1])).size).toBeGreaterThan(1)
  })

  it('the Shuttle client (Node) through the balancer in 8 MiB chunks: paused at 40 %, resumed; the object is the file', async () => {
    await threeInstances()
    const bytes = randomBytes(2 * P + 5 * MiB)
    const file = path.join(dir, 'shuttle-client.bin')
    await writeFile(file, bytes)
    const up = createUploader({ endpoint: proxy!.endpoint, chunkSize: P, retryDelays: [0, 200, 500, 1000] })
    try {
      const [id] = up.add([file])
      let paused = false
      up.on('progress', (e) => {
        if (!paused && e.id === id && e.bytesSent >= bytes.length * 0.4) {
          paused = true
          up.pause(id as string)
        }
      })
      await waitUntil(() => up.getFile(id as string)?.status === 'paused', 30_000, 'the upload is paused')
      const confirmed = up.getFile(id as string)?.bytesConfirmed ?? 0
      expect(confirmed).toBeLessThan(bytes.length)
      up.resume(id as string)
      await waitUntil(() => up.getFile(id as string)?.status === 'completed', 60_000, 'the upload completes')
      const uploadId = new URL(up.getFile(id as string)?.url ?? '').pathname.split('/').pop() ?? ''
      expect(await objectSha256(client, bucket, `tus/${uploadId}`)).toBe(sha(bytes))
      await expectOnlyObject(uploadId)
    } finally {
      await up.destroy()
    }
  })

  it('refuses to start when the bucket does not answer, saying so', async () => {
    const r = runCli([
      'serve',
      '--port',
      '0',
      '--dir',
      dir,
      '--store',
      's3',
      '--s3-bucket',
      'no-such-bucket-here',
      ...s3Flags(),
    ])
    expect(await r.exit).toBe(2)
    expect(r.stderr()).toMatch(
      /Cannot use bucket no-such-bucket-here \(404 NotFound\); check the bucket name/,
    )
  })
})

/** Waits until the upload's multipart upload holds `n` parts. */
async function waitForParts(id: string, n: number): Promise<void> {
  await waitUntil(
    async () => {
      const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `tus/${id}` }))
      const upload = open.Uploads?.[0]
      if (!upload) return false
      const parts = await client.send(
        new ListPartsCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }),
      )
      return (parts.Parts ?? []).length >= n
    },
    20_000,
    `part ${n} of ${id} is stored`,
  )
}

/** Every key of the upload with its ETag and LastModified, and its open multipart uploads. */
async function snapshot(id: string): Promise<unknown> {
  const keys = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `tus/${id}` }))
  const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `tus/${id}` }))
  return {
    objects: (keys.Contents ?? []).map((o) => [o.Key, o.ETag, o.LastModified?.toISOString(), o.Size]),
    multipart: (open.Uploads ?? []).map((u) => u.UploadId),
  }
}
