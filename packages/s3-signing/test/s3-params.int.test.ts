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

// GET /s3/params: the one-request (POST form) upload @uppy/aws-s3 makes for files below its multipart
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

/** What @uppy/aws-s3 6 does with the answer: a form with the fields, the file last. */
function post(p: Params, body: Uint8Array | string, change: Record<string, string> = {}) {
  const form = new FormData()
  for (const [k, v] of Object.entries({ ...p.fields, ...change })) form.set(k, v)
  form.set('file', new Blob([body as Uint8Array<ArrayBuffer>]))
  return fetch(p.url, { method: 'POST', body: form })
}

describe('GET /s3/params (Companion, @uppy/aws-s3 below its multipart threshold)', () => {
  it('answers a signed POST policy; the 100 KiB file posted with its fields is the object, with its type', async () => {
    const q = new URLSearchParams({
      filename: 'photo 1.jpg',
      type: 'image/jpeg',
      'metadata[name]': 'photo 1.jpg',
    })
    const res = await params(q.toString())
    expect(res.status).toBe(200)
    const p = (await res.json()) as Params
    expect(p.method).toBe('POST')
    expect(p.headers).toEqual({})
    expect(p.fields['Content-Type']).toBe('image/jpeg')
    const key = p.fields.key as string
    expect(key).toMatch(/^up\/[a-f0-9]{32}\/photo_1\.jpg$/)
    expect(new URL(p.url).pathname).toBe(`/${bucket}/`)

    const body = randomBytes(100 * 1024)
    const sent = await post(p, body)
    expect(sent.status, await sent.text()).toBe(204)
    expect(await objectSha256(client, bucket, key)).toBe(sha(body))
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
    expect(head.ContentType).toBe('image/jpeg')
    expect(head.Metadata?.name).toBe('photo 1.jpg')
  })

  it('the policy pins the type and the key: a form that changes either is refused by S3, nothing stored', async () => {
    const res = await params(new URLSearchParams({ filename: 'a.txt', type: 'text/plain' }).toString())
    const p = (await res.json()) as Params
    expect((await post(p, 'x', { 'Content-Type': 'text/html' })).status).toBe(403)
    expect((await post(p, 'x', { key: 'up/elsewhere.txt' })).status).toBe(403)
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'up/elsewhere' }))
    expect(listed.KeyCount ?? 0).toBe(0)
  })

  it('without a type the object is application/octet-stream', async () => {
    const p = (await (await params('filename=raw.bin')).json()) as Params
    expect(p.fields['Content-Type']).toBe('application/octet-stream')
    expect((await post(p, 'abc')).status).toBe(204)
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: p.fields.key }))
    expect(head.ContentType).toBe('application/octet-stream')
  })

  it('authorize decides it as a creation: refused → 403, nothing signed or stored', async () => {
    const before = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
    const res = await params('filename=no.txt&type=text/plain', { 'x-deny': 'create' })
    expect(res.status).toBe(403)
    expect(JSON.stringify(await res.json())).not.toMatch(/signature/i)
    const after = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
    expect(after.KeyCount).toBe(before.KeyCount)
  })
})
