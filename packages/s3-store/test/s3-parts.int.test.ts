import { createHash, randomBytes } from 'node:crypto'
import {
  AbortMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { HttpError } from '@shuttle/protocol'
import type { ByteSource, WriteOptions } from '@shuttle/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  adminClient,
  createTestBucket,
  dropTestBucket,
  objectSha256,
} from '../../server/test/helpers/s3-env.js'
import { S3Store } from '../src/index.js'

// Uploads of several 5 MiB parts on Ceph RGW, written in PATCHes that do not line up with parts,
// cut and resumed, through store objects that share nothing but the bucket (as instances would).
const MiB = 1024 * 1024
const P = 5 * MiB
const client = adminClient()
let bucket: string
beforeAll(async () => {
  bucket = await createTestBucket(client, 'parts')
})
afterAll(() => dropTestBucket(client, bucket))

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const opts = (more: Partial<WriteOptions> = {}): WriteOptions => ({
  signal: new AbortController().signal,
  maxBytes: undefined,
  ...more,
})
async function* pieces(bytes: Uint8Array, size = 256 * 1024): ByteSource {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, Math.min(at + size, bytes.length))
}
async function collect(source: ByteSource): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const p of source) parts.push(p)
  return Buffer.concat(parts)
}

function instance(prefix: string) {
  return new S3Store({ client, bucket, prefix, partSize: P })
}

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = []
  const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))
  for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key.slice(prefix.length))
  return keys.sort()
}

async function openUploads(prefix: string): Promise<number> {
  const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }))
  return (out.Uploads ?? []).length
}

const newUpload = (id: string, size: number | undefined) => ({
  id,
  size,
  metadata: { filename: 'big.bin' },
  createdAt: Date.now(),
  expiresAt: undefined,
  concat: undefined,
})

describe('S3Store parts and tails on Ceph RGW', () => {
  it('PATCHes across part boundaries, each through another instance: one tail at most, then the whole object and nothing else', async () => {
    const prefix = `p${randomBytes(4).toString('hex')}/`
    const id = 'partsUploadAAAAAAAAAAAAA'
    const bytes = randomBytes(2 * P + 3 * MiB + 123)
    await instance(prefix).create(newUpload(id, bytes.length))
    // Cuts that land inside parts, on a part boundary, and inside the final part.
    const cuts = [3 * MiB, 4 * MiB + 17, P * 2, 2 * P + MiB, bytes.length]
    let offset = 0
    for (const cut of cuts) {
      const store = instance(prefix) // nothing shared but S3
      expect((await store.getUpload(id)).offset).toBe(offset)
      offset = await store.write(id, offset, pieces(bytes.subarray(offset, cut)), opts())
      expect(offset).toBe(cut)
      if (cut < bytes.length) {
        const tails = (await keysUnder(prefix)).filter((k) => k.includes('.tail.'))
        const expectedTail = cut % P === 0 ? [] : [`${id}.tail.${Math.floor(cut / P) + 1}`]
        expect(tails).toEqual(expectedTail)
      }
    }
    expect(await objectSha256(client, bucket, `${prefix}${id}`)).toBe(sha(bytes))
    expect(await keysUnder(prefix)).toEqual([id, `${id}.info`])
    expect(await openUploads(prefix)).toBe(0)
    // GET with a range across the boundary of parts 1 and 2.
    const got = await collect(await instance(prefix).read(id, { start: P - 10, end: P + 10 }))
    expect(sha(got)).toBe(sha(bytes.subarray(P - 10, P + 10)))
  })

  it('a crash after a part is stored but before its tail is deleted: nothing is counted twice', async () => {
    const prefix = `c${randomBytes(4).toString('hex')}/`
    const id = 'crashWindowAAAAAAAAAAAAA'
    const bytes = randomBytes(P + 2 * MiB)
    const store = instance(prefix)
    await store.create(newUpload(id, bytes.length))
    expect(await store.write(id, 0, pieces(bytes.subarray(0, 3 * MiB)), opts())).toBe(3 * MiB)
    // What the dying instance got done: part 1 (its tail's bytes and 2 MiB more) is stored, tail 1 is not yet deleted.
    const info = JSON.parse((await collect(await infoBody(prefix, id))).toString()) as { uploadId: string }
    await client.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: `${prefix}${id}`,
        UploadId: info.uploadId,
        PartNumber: 1,
        Body: bytes.subarray(0, P),
        ContentLength: P,
      }),
    )
    expect((await keysUnder(prefix)).filter((k) => k.includes('.tail.'))).toEqual([`${id}.tail.1`])
    const next = instance(prefix)
    expect((await next.getUpload(id)).offset).toBe(P)
    expect(await next.write(id, P, pieces(bytes.subarray(P)), opts())).toBe(bytes.length)
    expect(await objectSha256(client, bucket, `${prefix}${id}`)).toBe(sha(bytes))
    expect(await keysUnder(prefix)).toEqual([id, `${id}.info`])
  })

  it('a PATCH cut by its signal mid-part keeps every byte that arrived; a lost lease stores nothing more', async () => {
    const prefix = `s${randomBytes(4).toString('hex')}/`
    const id = 'cutAndLostAAAAAAAAAAAAAA'
    const bytes = randomBytes(2 * P)
    const store = instance(prefix)
    await store.create(newUpload(id, bytes.length))
    const cut = new AbortController()
    let sent = 0
    async function* cutting(): ByteSource {
      for (const chunk of [bytes.subarray(0, P + MiB), bytes.subarray(P + MiB, P + 2 * MiB)]) {
        yield chunk
        sent += chunk.length
        if (sent >= P + 2 * MiB) cut.abort()
        await new Promise((r) => setImmediate(r))
      }
      yield bytes.subarray(P + 2 * MiB) // never read: the signal stopped the write
    }
    const kept = await store.write(id, 0, cutting(), opts({ signal: cut.signal }))
    expect(kept).toBe(P + 2 * MiB)
    expect((await instance(prefix).getUpload(id)).offset).toBe(kept)

    // A lease lost before the write stores anything: the tail it started from stays the truth.
    const rest = bytes.subarray(kept)
    await expect(store.write(id, kept, pieces(rest), opts({ lease: leaseHeldFor(0) }))).rejects.toThrow(
      /lease lost/,
    )
    expect((await instance(prefix).getUpload(id)).offset).toBe(kept)
    expect(await instance(prefix).write(id, kept, pieces(rest), opts())).toBe(bytes.length)
    expect(await objectSha256(client, bucket, `${prefix}${id}`)).toBe(sha(bytes))

    // Lost after its first part went out: that part counts, nothing after it was stored.
    const other = 'lostMidWayAAAAAAAAAAAAAA'
    const big = randomBytes(2 * P + MiB)
    await store.create(newUpload(other, big.length))
    await expect(store.write(other, 0, pieces(big), opts({ lease: leaseHeldFor(1) }))).rejects.toThrow(
      /lease lost/,
    )
    expect((await instance(prefix).getUpload(other)).offset).toBe(P)
    expect((await keysUnder(prefix)).filter((k) => k.startsWith(`${other}.tail.`))).toEqual([])
  })

  it('completed but killed before the info said so: ListParts says the upload is gone, the next request finds the whole object and repairs the info; without it, 410', async () => {
    const prefix = `f${randomBytes(4).toString('hex')}/`
    const id = 'completedNotSaidAAAAAAAA'
    const bytes = randomBytes(P + MiB)
    const store = instance(prefix)
    await store.create(newUpload(id, bytes.length + 1)) // one byte short: stays unfinished
    const info = JSON.parse((await collect(await infoBody(prefix, id))).toString()) as { uploadId: string }
    // Another upload of the same shape, completed by hand, stands in for the dying instance's Complete.
    await client.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: `${prefix}${id}`,
        UploadId: info.uploadId,
        PartNumber: 1,
        Body: bytes.subarray(0, P),
        ContentLength: P,
      }),
    )
    expect((await instance(prefix).getUpload(id)).offset).toBe(P)
    await client.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: `${prefix}${id}`, UploadId: info.uploadId }),
    )
    // The multipart upload is gone and no object has the size: damaged, never "complete".
    await expect(instance(prefix).getUpload(id)).rejects.toMatchObject({ code: 'ERR_DAMAGED', status: 410 })
    // The same, now with the whole object in place: finished, and the info says so from now on.
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${prefix}${id}`,
        Body: Buffer.concat([bytes, Buffer.alloc(1)]),
      }),
    )
    expect((await instance(prefix).getUpload(id)).offset).toBe(bytes.length + 1)
    const repaired = JSON.parse((await collect(await infoBody(prefix, id))).toString()) as {
      finished: boolean
    }
    expect(repaired.finished).toBe(true)
  })

  it('a 0-byte upload is a finished empty object at once', async () => {
    const prefix = `z${randomBytes(4).toString('hex')}/`
    const id = 'emptyUploadAAAAAAAAAAAAA'
    const u = await instance(prefix).create(newUpload(id, 0))
    expect(u.offset).toBe(0)
    expect((await instance(prefix).getUpload(id)).offset).toBe(0)
    expect(await objectSha256(client, bucket, `${prefix}${id}`)).toBe(sha(new Uint8Array(0)))
    expect(await openUploads(prefix)).toBe(0)
  })
})

async function infoBody(prefix: string, id: string): Promise<ByteSource> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${id}.info` }))
  return out.Body as unknown as ByteSource
}

/** A lease whose assertHeld passes `n` times, then throws as a lost one does. */
function leaseHeldFor(n: number) {
  let checks = 0
  return {
    lost: new AbortController().signal,
    assertHeld() {
      if (++checks > n) throw new HttpError('ERR_LEASE_LOST', 423, 'lease lost')
    },
  }
}
