import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { S3Store } from '@shuttle/s3-store'
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
import { expectOnlyObject, head, type Instances, idOf, patch, startInstances, tus } from './s3-instances.js'

// The design's crash windows, through three `shuttle serve --store s3 --redis` behind a balancer.
// An instance dying inside a window leaves a state in S3 (and Redis) that no timing can hit on
// purpose; each test leaves exactly that state, as the dead instance would have, then drives the
// upload on through the balancer: nothing counted twice, no confirmed byte lost.
const MiB = 1024 * 1024
const P = 8 * MiB
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

let client: S3Client
let bucket: string
let dir: string
let running: Instances | undefined
let redis: Redis

beforeAll(async () => {
  assertBuilt()
  client = adminClient()
  bucket = await createTestBucket(client, 'crash')
  dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-crash-'))
  redis = new Redis(redisUrl())
})
afterEach(async () => {
  await running?.stop()
  running = undefined
})
afterAll(async () => {
  redis?.disconnect()
  await dropTestBucket(client, bucket)
  await rm(dir, { recursive: true, force: true })
})

async function start(): Promise<string> {
  running = await startInstances({ env: s3Env(), bucket, redis: redisUrl(), dir })
  return running.proxy.endpoint
}

async function create(url: string, size: number): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: { ...tus, 'Upload-Length': String(size) } })
  expect(res.status).toBe(201)
  return idOf(res.headers.get('location') ?? '')
}

async function uploadIdOf(id: string): Promise<string> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `tus/${id}.info` }))
  return (JSON.parse(await (out.Body?.transformToString() ?? '{}')) as { uploadId: string }).uploadId
}

async function tails(id: string): Promise<string[]> {
  const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `tus/${id}.tail.` }))
  return (out.Contents ?? []).map((o) => o.Key ?? '')
}

describe('crash windows, three instances behind a balancer', () => {
  it('killed after part 1 was stored, before its tail was deleted: the offset counts the part once, the stale tail goes', async () => {
    const url = await start()
    const body = randomBytes(P + 3 * MiB)
    const id = await create(url, body.length)
    expect((await patch(`${url}${id}`, 0, body.subarray(0, 3 * MiB))).status).toBe(204)
    expect(await tails(id)).toEqual([`tus/${id}.tail.1`])
    // The dying instance had read on to P and stored part 1 (tail 1's bytes and more); it never
    // answered that PATCH and never deleted tail 1.
    await client.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: `tus/${id}`,
        UploadId: await uploadIdOf(id),
        PartNumber: 1,
        Body: body.subarray(0, P),
        ContentLength: P,
      }),
    )
    const res = await head(`${url}${id}`)
    expect(res.headers.get('upload-offset')).toBe(String(P)) // not P + 3 MiB
    const done = await patch(`${url}${id}`, P, body.subarray(P))
    expect(done.status, done.text).toBe(204)
    expect(await objectSha256(client, bucket, `tus/${id}`)).toBe(sha(body))
    await expectOnlyObject(client, bucket, id)
  })

  it('killed after a tail PUT, before unlocking: nothing answers from the upload while its lock lives (waits or 423), then the tail counts and the upload finishes', async () => {
    const url = await start()
    const body = randomBytes(P + 3 * MiB)
    const id = await create(url, body.length)
    // The dead instance stored 2 MiB as tail 1 and still holds the lock in Redis (3 s of it left).
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: `tus/${id}.tail.1`, Body: body.subarray(0, 2 * MiB) }),
    )
    const lockedAt = performance.now()
    await redis.set(`shuttle:lock:{${id}}`, 'dead-instance:1', 'PX', 3000)
    // HEADs wait for the lock (or answer 423 when their wait runs out): none is answered from the
    // upload while the dead holder's lock lives, and the first 200 comes once it ran out.
    const statuses: number[] = []
    let res = await head(`${url}${id}`)
    statuses.push(res.status)
    while (res.status === 423 && performance.now() - lockedAt < 15_000) {
      res = await head(`${url}${id}`)
      statuses.push(res.status)
    }
    expect(performance.now() - lockedAt).toBeGreaterThanOrEqual(2900)
    expect(
      statuses.filter((s) => s !== 423 && s !== 200),
      statuses.join(','),
    ).toEqual([])
    expect(res.status).toBe(200)
    expect(res.headers.get('upload-offset')).toBe(String(2 * MiB))
    const done = await patch(`${url}${id}`, 2 * MiB, body.subarray(2 * MiB))
    expect(done.status, done.text).toBe(204)
    expect(await objectSha256(client, bucket, `tus/${id}`)).toBe(sha(body))
    await expectOnlyObject(client, bucket, id)
  })

  it('killed between CreateMultipartUpload and the info PUT: the id is 404 to clients, other uploads go on, and the leftover sweep aborts it', async () => {
    const url = await start()
    const orphan = 'orphanAAAAAAAAAAAAAAAAA0'
    await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `tus/${orphan}` }))
    for (const _ of [0, 1, 2]) expect((await head(`${url}${orphan}`)).status).toBe(404)
    const body = randomBytes(MiB)
    const id = await create(url, body.length)
    expect((await patch(`${url}${id}`, 0, body)).status).toBe(204)
    expect(await objectSha256(client, bucket, `tus/${id}`)).toBe(sha(body))
    // The servers sweep leftovers an hour old; the store's sweep, asked for any age, aborts it now.
    const store = new S3Store({ client, bucket, prefix: 'tus/' })
    expect(await store.removeLeftovers(0)).toBeGreaterThanOrEqual(1)
    const open = await client.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `tus/${orphan}` }),
    )
    expect(open.Uploads ?? []).toEqual([])
    await expectOnlyObject(client, bucket, id)
  })
})
