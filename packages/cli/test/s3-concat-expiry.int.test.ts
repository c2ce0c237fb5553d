import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { waitUntil } from '@shuttle/server/conformance'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { redisUrl } from '../../server/test/helpers/redis-env.js'
import {
  adminClient,
  createTestBucket,
  dropTestBucket,
  objectSha256,
  s3Env,
} from '../../server/test/helpers/s3-env.js'
import { assertBuilt } from './helpers.js'
import { openPatch } from './raw-patch.js'
import {
  expectNothingOf,
  expectOnlyObject,
  head,
  type Instances,
  idOf,
  patch,
  startInstances,
  tus,
} from './s3-instances.js'

// Concatenation and idle expiry with several `shuttle serve --store s3 --redis` on one bucket.
const MiB = 1024 * 1024
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

let client: S3Client
let bucket: string
let dir: string
let running: Instances | undefined

beforeAll(async () => {
  assertBuilt()
  client = adminClient()
  bucket = await createTestBucket(client, 'concat')
  dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-concat-'))
})
afterEach(async () => {
  await running?.stop()
  running = undefined
})
afterAll(async () => {
  await dropTestBucket(client, bucket)
  await rm(dir, { recursive: true, force: true })
})

async function create(endpoint: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(endpoint, { method: 'POST', headers: { ...tus, ...headers } })
  expect(res.status, await res.text()).toBe(201)
  return idOf(res.headers.get('location') ?? '')
}

describe('several instances on one bucket', () => {
  it('concatenation: partials uploaded through different instances, the final one created through another; the object is their bytes in order', async () => {
    running = await startInstances({ env: s3Env(), bucket, redis: redisUrl(), dir })
    const url = running.proxy.endpoint
    // With 8 MiB parts: part 1 of the final upload lies inside A (copied in S3), part 2 spans A, B
    // and C (read and uploaded), part 3 lies inside C (copied).
    const partials = [randomBytes(9 * MiB + 3), randomBytes(2 * MiB), randomBytes(9 * MiB)]
    const ids: string[] = []
    for (const bytes of partials) {
      const id = await create(url, { 'Upload-Length': String(bytes.length), 'Upload-Concat': 'partial' })
      const done = await patch(`${url}${id}`, 0, bytes)
      expect(done.status, done.text).toBe(204)
      ids.push(id)
    }
    const finalId = await create(url, {
      'Upload-Concat': `final;${ids.map((id) => `/files/${id}`).join(' ')}`,
    })
    const whole = Buffer.concat(partials)
    const res = await head(`${url}${finalId}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('upload-offset')).toBe(String(whole.length))
    expect(await objectSha256(client, bucket, `tus/${finalId}`)).toBe(sha(whole))
    await expectOnlyObject(client, bucket, finalId)
    // The partials outlive it, whole.
    for (const [k, id] of ids.entries()) {
      expect(await objectSha256(client, bucket, `tus/${id}`)).toBe(sha(partials[k] as Buffer))
      await expectOnlyObject(client, bucket, id)
    }
    // Through the balancer the requests went to all three.
    expect(new Set(running.proxy.routed.map((r) => r.split(' ')[1])).size).toBe(3)
  })

  it('idle expiry: an idle upload is removed (info, multipart upload, tail) by one instance at a time; one streaming meanwhile is never touched', async () => {
    running = await startInstances({
      env: s3Env(),
      bucket,
      redis: redisUrl(),
      dir,
      count: 2,
      args: ['--expire-after', '2s', '--expiry-sweep', '200ms'],
    })
    const [a, b] = running.servers as [(typeof running.servers)[0], (typeof running.servers)[0]]
    // The streaming upload is created first: whenever the idle one counts as expired, so does it
    // (to S3 it is older and has never been written: its bytes are all below one part, in memory).
    const streamed = randomBytes(3 * MiB)
    const streamId = await create(b.endpoint, { 'Upload-Length': String(streamed.length) })
    const streaming = openPatch(`${b.endpoint}${streamId}`, 0, streamed.length)
    streaming.send(streamed.subarray(0, 64 * 1024))
    const idle = randomBytes(9 * MiB + 5)
    const idleId = await create(a.endpoint, { 'Upload-Length': String(idle.length) })
    // Part 1 and a 1 MiB tail, then nothing more.
    expect((await patch(`${a.endpoint}${idleId}`, 0, idle.subarray(0, 9 * MiB))).status).toBe(204)
    // Its lock is held, so no sweep touches it (nor asks it to release).
    let sent = 64 * 1024
    const piece = 64 * 1024
    const pump = setInterval(() => {
      if (sent + piece < streamed.length) {
        streaming.send(streamed.subarray(sent, sent + piece))
        sent += piece
      }
    }, 100)
    try {
      await waitUntil(
        async () => {
          const keys = await client.send(
            new ListObjectsV2Command({ Bucket: bucket, Prefix: `tus/${idleId}` }),
          )
          return (keys.Contents ?? []).length === 0
        },
        20_000,
        'the idle upload is removed',
      )
      await expectNothingOf(client, bucket, idleId)
      expect((await head(`${a.endpoint}${idleId}`)).status).toBe(404)
      // One sweeper at a time: the instance that claimed this interval's sweep, in Redis.
      const redis = new Redis(redisUrl())
      try {
        const key = 'shuttle:lock:duty:expiry-sweep'
        await waitUntil(async () => (await redis.get(key)) !== null, 5000, 'an instance claims a sweep')
        // Claimed for one interval (less 50 ms), so the next sweep of any instance finds it free.
        expect(await redis.pttl(key)).toBeLessThanOrEqual(150)
      } finally {
        redis.disconnect()
      }
    } finally {
      clearInterval(pump)
    }
    streaming.send(streamed.subarray(sent))
    expect(await streaming.answer).toBe(204)
    expect(await objectSha256(client, bucket, `tus/${streamId}`)).toBe(sha(streamed))
    await expectOnlyObject(client, bucket, streamId)
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'tus/' }))
    expect(open.Uploads ?? []).toEqual([])
    expect(sent).toBeLessThan(streamed.length)
  })
})
