import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { ListMultipartUploadsCommand, ListPartsCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRgw } from '../../../test/services/rgw.js'
import type { Running } from '../../../test/services/shared.js'
import { redisUrl } from '../../server/test/helpers/redis-env.js'
import {
  adminClient,
  createTestBucket,
  dropTestBucket,
  objectSha256,
  type S3TestEnv,
} from '../../server/test/helpers/s3-env.js'
import { assertBuilt } from './helpers.js'
import { expectOnlyObject, head, type Instances, idOf, patch, startInstances, tus } from './s3-instances.js'

// The size edges of issue 12 through three `shuttle serve --store s3 --redis` behind a balancer.
// > 1000 parts and part 10 001 need small parts to stay small tests: this file runs its own Ceph
// RGW that accepts 8 KiB parts (RGW_MIN_PART_SIZE; AWS's 5 MiB rule is otherwise the same), with
// one trio of instances at the default 8 MiB parts and one at `--s3-part-size 8KiB` (8 parts in
// flight per PATCH, so a thousand small parts take seconds rather than a minute).
const KiB = 1024
const MiB = 1024 * KiB
const SMALL_P = 8 * KiB
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

let rgw: Running<{ env: Record<string, string> }>
let env: S3TestEnv
let client: S3Client
let bucket: string
let dir: string
let standard: Instances
let small: Instances

beforeAll(async () => {
  assertBuilt()
  rgw = await startRgw({ RGW_MIN_PART_SIZE: String(SMALL_P) })
  env = {
    endpoint: rgw.value.env.S3_ENDPOINT as string,
    region: rgw.value.env.S3_REGION ?? 'us-east-1',
    accessKeyId: rgw.value.env.S3_ACCESS_KEY as string,
    secretAccessKey: rgw.value.env.S3_SECRET_KEY as string,
    bucket: rgw.value.env.S3_BUCKET ?? 'shuttle',
  }
  client = adminClient(env)
  bucket = await createTestBucket(client, 'sizes')
  dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-sizes-'))
  const base = { env, bucket, redis: redisUrl(), dir }
  ;[standard, small] = await Promise.all([
    startInstances(base),
    startInstances({
      ...base,
      args: ['--s3-part-size', '8KiB', '--s3-parts-in-flight', '8', '--max-size', 'none'],
    }),
  ])
}, 120_000)

afterAll(async () => {
  await standard?.stop()
  await small?.stop()
  if (client) await dropTestBucket(client, bucket)
  client?.destroy()
  await rgw?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
}, 60_000)

async function create(endpoint: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(endpoint, { method: 'POST', headers: { ...tus, ...headers } })
  expect(res.status, await res.text()).toBe(201)
  return idOf(res.headers.get('location') ?? '')
}

/** PATCHes `body` from `from` in pieces of `piece` bytes, each through the balancer (the next instance). */
async function sendInPieces(
  url: string,
  body: Buffer,
  from: number,
  piece: number,
  last: Record<string, string> = {},
) {
  for (let at = from; at < body.length; at += piece) {
    const end = Math.min(at + piece, body.length)
    const answer = await patch(url, at, body.subarray(at, end), end === body.length ? last : {})
    expect(answer.status, answer.text).toBe(204)
    expect(answer.offset).toBe(end)
  }
}

describe('sizes through three instances behind a balancer', () => {
  it('0 bytes: created through one instance, seen whole through the others; an empty object', async () => {
    const url = standard.proxy.endpoint
    const id = await create(url, { 'Upload-Length': '0' })
    for (const _ of standard.servers) {
      const res = await head(`${url}${id}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('upload-offset')).toBe('0')
      expect(res.headers.get('upload-length')).toBe('0')
    }
    expect(await objectSha256(client, bucket, `tus/${id}`)).toBe(sha(new Uint8Array(0)))
    await expectOnlyObject(client, bucket, id)
  })

  it('< 5 MiB (below the S3 minimum part): tails replaced across instances, then one part', async () => {
    const body = randomBytes(3 * MiB + 7)
    const url = standard.proxy.endpoint
    const id = await create(url, { 'Upload-Length': String(body.length) })
    await sendInPieces(`${url}${id}`, body, 0, MiB)
    expect(new Set(standard.proxy.routed.map((r) => r.split(' ')[1])).size).toBe(3)
    expect(await objectSha256(client, bucket, `tus/${id}`)).toBe(sha(body))
    await expectOnlyObject(client, bucket, id)
  })

  it('deferred length: PATCHes through each instance, the length declared by the last one', async () => {
    const body = randomBytes(11 * MiB + 13)
    const url = standard.proxy.endpoint
    const id = await create(url, { 'Upload-Defer-Length': '1' })
    await sendInPieces(`${url}${id}`, body, 0, 4 * MiB, { 'Upload-Length': String(body.length) })
    const res = await head(`${url}${id}`)
    expect(res.headers.get('upload-length')).toBe(String(body.length))
    expect(res.headers.get('upload-defer-length')).toBeNull()
    expect(await objectSha256(client, bucket, `tus/${id}`)).toBe(sha(body))
    await expectOnlyObject(client, bucket, id)
  })

  it('> 1000 parts: the offset and the completion read every ListParts page (RGW pages at 1000)', async () => {
    const body = randomBytes(1003 * SMALL_P + 1234)
    const url = small.proxy.endpoint
    const id = await create(url, { 'Upload-Length': String(body.length) })
    const rest = 200 * SMALL_P + 777
    // 803 parts and a tail in PATCHes that end mid-part, each through the next instance.
    await sendInPieces(`${url}${id}`, body.subarray(0, body.length - rest), 0, 267 * SMALL_P + 100)
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `tus/${id}` }))
    const uploadId = open.Uploads?.[0]?.UploadId
    // One more PATCH to > 1000 parts, still short of the end.
    const mid = body.length - 2 * SMALL_P - 100
    expect(
      (await patch(`${url}${id}`, body.length - rest, body.subarray(body.length - rest, mid))).status,
    ).toBe(204)
    const page = await client.send(
      new ListPartsCommand({ Bucket: bucket, Key: `tus/${id}`, UploadId: uploadId }),
    )
    expect(page.Parts).toHaveLength(1000)
    expect(page.IsTruncated).toBe(true) // so the store's offset below needs the second page
    const res = await head(`${url}${id}`)
    expect(Number(res.headers.get('upload-offset'))).toBe(mid)
    const done = await patch(`${url}${id}`, mid, body.subarray(mid))
    expect(done.status, done.text).toBe(204)
    expect(done.offset).toBe(body.length)
    expect(await objectSha256(client, bucket, `tus/${id}`)).toBe(sha(body))
    await expectOnlyObject(client, bucket, id)
  })

  it('a deferred upload whose length would need part 10 001: 413 with a sentence, nothing lost, then it finishes', async () => {
    const body = randomBytes(3 * SMALL_P + 5)
    const url = small.proxy.endpoint
    const id = await create(url, { 'Upload-Defer-Length': '1' })
    const first = 2 * SMALL_P + 100
    expect((await patch(`${url}${id}`, 0, body.subarray(0, first))).status).toBe(204)
    // Its part size was planned at creation (8 KiB): 10 000 parts hold 80 000 KiB.
    const tooLong = await patch(`${url}${id}`, first, body.subarray(first), {
      'Upload-Length': String(10_000 * SMALL_P + 1),
    })
    expect(tooLong.status).toBe(413)
    expect(tooLong.text).toMatch(/would need more than 10000 parts of 8192 bytes/)
    const after = await head(`${url}${id}`)
    expect(after.headers.get('upload-offset')).toBe(String(first))
    expect(after.headers.get('upload-defer-length')).toBe('1')
    const done = await patch(`${url}${id}`, first, body.subarray(first), {
      'Upload-Length': String(body.length),
    })
    expect(done.status, done.text).toBe(204)
    expect(await objectSha256(client, bucket, `tus/${id}`)).toBe(sha(body))
    await expectOnlyObject(client, bucket, id)
  })
})
