import { createHash, randomBytes } from 'node:crypto'
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  adminClient,
  createTestBucket,
  dropTestBucket,
  objectSha256,
  s3Env,
} from '../../server/test/helpers/s3-env.js'
import { type SigningServer, startSigningServer } from '../../server/test/helpers/s3-signing-server.js'

// GET /s3/params: the one-request upload @uppy/aws-s3 makes for files below its multipart
// threshold, with Companion's query and answer, against Ceph RGW.
let client: S3Client
let bucket: string
let server: SigningServer

beforeAll(async () => {
  client = adminClient()
  bucket = await createTestBucket(client, 'params')
  server = await startSigningServer(s3Env(), {
    bucket,
    keyPrefix: 'up/',
    authorize: (req, { action }) => req.headers['x-deny'] !== action,
  })
})
afterAll(async () => {
  await server?.close()
  if (bucket) await dropTestBucket(client, bucket)
})

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

interface Params {
  method: string
  url: string
  fields: Record<string, string>
  headers: Record<string, string>
}

async function params(query: string, headers: Record<string, string> = {}) {
  return fetch(`${server.base}/s3/params?${query}`, { headers })
}

describe('GET /s3/params (Companion, @uppy/aws-s3 below its multipart threshold)', () => {
  it('answers a presigned PUT; the 100 KiB file PUT with its headers is the object, with its type', async () => {
    const q = new URLSearchParams({
      filename: 'photo 1.jpg',
      type: 'image/jpeg',
      'metadata[name]': 'photo 1.jpg',
    })
    const res = await params(q.toString())
    expect(res.status).toBe(200)
    const p = (await res.json()) as Params
    expect(p.method).toBe('PUT')
    expect(p.fields).toEqual({})
    expect(p.headers).toEqual({ 'content-type': 'image/jpeg' })
    const key = decodeURIComponent(new URL(p.url).pathname.split('/').slice(2).join('/'))
    expect(key).toMatch(/^up\/[a-f0-9]{32}\/photo_1\.jpg$/)

    const body = randomBytes(100 * 1024)
    const put = await fetch(p.url, { method: 'PUT', headers: p.headers, body })
    expect(put.status).toBe(200)
    expect(await objectSha256(client, bucket, key)).toBe(sha(body))
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
    expect(head.ContentType).toBe('image/jpeg')
    expect(head.Metadata?.name).toBe('photo 1.jpg')
  })

  it('the signature covers the type: a PUT with another Content-Type is refused by S3', async () => {
    const res = await params(new URLSearchParams({ filename: 'a.txt', type: 'text/plain' }).toString())
    const p = (await res.json()) as Params
    const put = await fetch(p.url, { method: 'PUT', headers: { 'content-type': 'text/html' }, body: 'x' })
    expect(put.status).toBe(403)
  })

  it('without a type the object is application/octet-stream', async () => {
    const p = (await (await params('filename=raw.bin')).json()) as Params
    expect(p.headers).toEqual({ 'content-type': 'application/octet-stream' })
    expect((await fetch(p.url, { method: 'PUT', headers: p.headers, body: 'abc' })).status).toBe(200)
  })

  it('authorize decides it as a creation: refused → 403, nothing signed or stored', async () => {
    const before = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
    const res = await params('filename=no.txt&type=text/plain', { 'x-deny': 'create' })
    expect(res.status).toBe(403)
    expect(JSON.stringify(await res.json())).not.toMatch(/X-Amz-Signature/)
    const after = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
    expect(after.KeyCount).toBe(before.KeyCount)
  })
})
