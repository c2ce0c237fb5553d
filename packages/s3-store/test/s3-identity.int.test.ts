import { createHash, randomBytes } from 'node:crypto'
import {
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3'
import type { ByteSource, WriteOptions } from '@shuttle/server'
import { newUploadId } from '@shuttle/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  adminClient,
  createTestBucket,
  dropTestBucket,
  objectSha256,
} from '../../server/test/helpers/s3-env.js'
import { S3Store } from '../src/index.js'

// Instant upload's shared storage on Ceph RGW: each shared upload gets its own object, copied inside
// the storage (CopyObject, or UploadPartCopy per part above `maxCopyObjectSize`), so removing either
// never breaks the other; a copy cut off by a crash leaves the target resumable and is swept.
const MiB = 1024 * 1024
const P = 5 * MiB
const client = adminClient()
let bucket: string
beforeAll(async () => {
  bucket = await createTestBucket(client, 'identity')
})
afterAll(() => dropTestBucket(client, bucket))

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const opts: WriteOptions = { signal: new AbortController().signal, maxBytes: undefined }
async function* pieces(bytes: Uint8Array, size = 1024 * 1024): ByteSource {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, Math.min(at + size, bytes.length))
}
const newUpload = (size: number, identity: string, owner?: string) => ({
  id: newUploadId(),
  size,
  metadata: { filename: 'big.bin' },
  createdAt: Date.now(),
  expiresAt: undefined,
  concat: undefined,
  identity,
  ...(owner ? { owner } : {}),
})

async function keysUnder(prefix: string): Promise<string[]> {
  const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))
  return (out.Contents ?? []).map((o) => (o.Key ?? '').slice(prefix.length)).sort()
}
async function openUploads(prefix: string): Promise<string[]> {
  const out = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }))
  return (out.Uploads ?? []).map((u) => u.UploadId ?? '')
}

/** A finished, recorded upload of `bytes` in `store`. */
async function finished(store: S3Store, bytes: Uint8Array, identity: string): Promise<string> {
  const u = await store.create(newUpload(bytes.length, identity, 'alice'))
  expect(await store.write(u.id, 0, pieces(bytes), opts)).toBe(bytes.length)
  await store.recordIdentity(u.id)
  return u.id
}

describe('S3Store instant upload on Ceph RGW', () => {
  for (const [how, maxCopyObjectSize] of [
    ['CopyObject', undefined],
    ['UploadPartCopy per part', MiB],
  ] as const) {
    it(`shares 12 MiB by ${how}: two independent objects, each outliving the other`, async () => {
      const prefix = `s${randomBytes(4).toString('hex')}/`
      const store = new S3Store({ client, bucket, prefix, partSize: P, maxCopyObjectSize })
      const bytes = randomBytes(12 * MiB + 7)
      const identity = sha(randomBytes(8))
      const source = await finished(store, bytes, identity)
      const target = await store.create(newUpload(bytes.length, identity, 'bob'))
      const shared = await store.shareFrom(source, target.id)
      expect([shared.offset, shared.identityVerified, shared.owner]).toEqual([bytes.length, true, 'bob'])
      // Only the two objects, their infos and their index entries: no multipart upload, no tail.
      expect(await openUploads(prefix)).toEqual([])
      expect(await keysUnder(prefix)).toEqual(
        [
          source,
          `${source}.info`,
          target.id,
          `${target.id}.info`,
          `identity/${identity}/${source}`,
          `identity/${identity}/${target.id}`,
        ].sort(),
      )
      expect(await objectSha256(client, bucket, `${prefix}${target.id}`)).toBe(sha(bytes))
      // Another instance (a store object sharing only the bucket) finds both, by owner.
      const other = new S3Store({ client, bucket, prefix, partSize: P })
      expect((await other.findFinishedByIdentity(identity, bytes.length, 'bob'))?.id).toBe(target.id)
      expect((await other.findFinishedByIdentity(identity, bytes.length, 'alice'))?.id).toBe(source)
      await other.remove(source)
      expect(await other.findFinishedByIdentity(identity, bytes.length, 'alice')).toBeUndefined()
      expect(await objectSha256(client, bucket, `${prefix}${target.id}`)).toBe(sha(bytes))
      const again = await other.getUpload(target.id)
      expect([again.offset, again.identityVerified]).toEqual([bytes.length, true])
      // A third upload shares from the second: removing the second leaves the third whole.
      const third = await other.create(newUpload(bytes.length, identity, 'bob'))
      await other.shareFrom(target.id, third.id)
      await other.remove(target.id)
      expect(await objectSha256(client, bucket, `${prefix}${third.id}`)).toBe(sha(bytes))
      expect(await keysUnder(prefix)).toEqual(
        [third.id, `${third.id}.info`, `identity/${identity}/${third.id}`].sort(),
      )
    })
  }

  it('a copy cut off by a crash leaves the target empty and resumable, and its multipart upload is swept', async () => {
    const prefix = `k${randomBytes(4).toString('hex')}/`
    const store = new S3Store({ client, bucket, prefix, partSize: P })
    const bytes = randomBytes(11 * MiB)
    const identity = sha(randomBytes(8))
    const source = await finished(store, bytes, identity)
    const target = await store.create(newUpload(bytes.length, identity))
    const own = await openUploads(`${prefix}${target.id}`)
    expect(own).toHaveLength(1)
    // What #copyMultipart leaves when killed after its first UploadPartCopy.
    const cut = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${prefix}${target.id}` }),
    )
    await client.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: `${prefix}${target.id}`,
        UploadId: cut.UploadId,
        PartNumber: 1,
        CopySource: `${bucket}/${prefix}${source}`,
        CopySourceRange: `bytes=0-${P - 1}`,
      }),
    )
    expect((await store.getUpload(target.id)).offset).toBe(0)
    expect(await store.removeLeftovers(0)).toBe(1)
    expect(await openUploads(`${prefix}${target.id}`)).toEqual(own)
    // The target is an ordinary upload still: its bytes complete it.
    expect(await store.write(target.id, 0, pieces(bytes), opts)).toBe(bytes.length)
    expect(await objectSha256(client, bucket, `${prefix}${target.id}`)).toBe(sha(bytes))
    expect(await openUploads(prefix)).toEqual([])
  })

  it('sharing from a source removed before or during the copy is 404 and leaves the target empty', async () => {
    const prefix = `r${randomBytes(4).toString('hex')}/`
    const store = new S3Store({ client, bucket, prefix, partSize: P, maxCopyObjectSize: MiB })
    const bytes = randomBytes(6 * MiB)
    const identity = sha(randomBytes(8))
    const source = await finished(store, bytes, identity)
    const target = await store.create(newUpload(bytes.length, identity))
    // During: the info was read, then a removal took the object (the copy finds no source).
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: `${prefix}${source}` }))
    await expect(store.shareFrom(source, target.id)).rejects.toMatchObject({ status: 404 })
    // Before: the info is gone too.
    await store.remove(source)
    await expect(store.shareFrom(source, target.id)).rejects.toMatchObject({ status: 404 })
    expect((await store.getUpload(target.id)).offset).toBe(0)
    // The copy's own multipart upload was aborted; the target's is the only one left.
    expect(await openUploads(`${prefix}${target.id}`)).toHaveLength(1)
  })
})
