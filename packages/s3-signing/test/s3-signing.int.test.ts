import { createHash, randomBytes } from 'node:crypto'
import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  adminClient,
  createTestBucket,
  dropTestBucket,
  objectSha256,
  s3Env,
} from '../../server/test/helpers/s3-env.js'
import { type SigningServer, startSigningServer } from '../../server/test/helpers/s3-signing-server.js'

// The signing routes against Ceph RGW: Companion's paths and JSON shapes (what @uppy/aws-s3 reads),
// server-made keys, the authorize hook, URL lifetime, the sweep and the CORS setter.

const MiB = 1024 * 1024
let client: S3Client
let bucket: string
let server: SigningServer

beforeAll(async () => {
  client = adminClient()
  bucket = await createTestBucket(client, 'signing')
  server = await startSigningServer(s3Env(), {
    bucket,
    keyPrefix: 'up/',
    // Requests carrying "x-deny: <action>" are refused for that action.
    authorize: (req, { action }) => req.headers['x-deny'] !== action,
  })
})
afterAll(async () => {
  await server?.close()
  if (bucket) await dropTestBucket(client, bucket)
})

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.base}${path}`, {
    method,
    headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined }
}

const q = (key: string) => `key=${encodeURIComponent(key)}`

describe('Companion-compatible S3 multipart routes on Ceph RGW', () => {
  it('create, sign, batch sign, list, complete: the JSON shapes @uppy/aws-s3 expects', async () => {
    const created = await call('POST', '/s3/multipart', {
      filename: 'report 2024.pdf',
      type: 'application/pdf',
      metadata: { name: 'report 2024.pdf', note: 'héllo' },
    })
    expect(created.status).toBe(200)
    // Companion: { key, uploadId, bucket }
    expect(Object.keys(created.json).sort()).toEqual(['bucket', 'key', 'uploadId'])
    expect(created.json.bucket).toBe(bucket)
    expect(created.json.key).toMatch(/^up\/[0-9a-f]{32}\/report_2024\.pdf$/)
    const { key, uploadId } = created.json as { key: string; uploadId: string }
    const base = `/s3/multipart/${encodeURIComponent(uploadId)}`

    // Companion: { url, expires }
    const one = await call('GET', `${base}/1?${q(key)}`)
    expect(one.status).toBe(200)
    expect(Object.keys(one.json).sort()).toEqual(['expires', 'url'])
    expect(one.json.expires).toBe(300)
    expect(one.json.url).toContain('X-Amz-Expires=300')

    // Companion: { presignedUrls: { [partNumber]: url } }
    const batch = await call('GET', `${base}/batch?${q(key)}&partNumbers=2,3`)
    expect(batch.status).toBe(200)
    expect(Object.keys(batch.json)).toEqual(['presignedUrls'])
    expect(Object.keys(batch.json.presignedUrls).sort()).toEqual(['2', '3'])

    const bytes = randomBytes(11 * MiB)
    const slices = [bytes.subarray(0, 5 * MiB), bytes.subarray(5 * MiB, 10 * MiB), bytes.subarray(10 * MiB)]
    const urls = [one.json.url, batch.json.presignedUrls['2'], batch.json.presignedUrls['3']] as string[]
    const etags: string[] = []
    for (const [i, url] of urls.entries()) {
      const put = await fetch(url, { method: 'PUT', body: slices[i] })
      expect(put.status).toBe(200)
      etags.push(put.headers.get('etag') ?? '')
    }

    // Companion: an array of { PartNumber, ETag, Size, LastModified }
    const listed = await call('GET', `${base}?${q(key)}`)
    expect(listed.status).toBe(200)
    expect(Array.isArray(listed.json)).toBe(true)
    expect(listed.json.map((p: { PartNumber: number }) => p.PartNumber)).toEqual([1, 2, 3])
    for (const p of listed.json) {
      expect(Object.keys(p).sort()).toEqual(['ETag', 'LastModified', 'PartNumber', 'Size'])
    }
    expect(listed.json.map((p: { ETag: string }) => p.ETag)).toEqual(etags)
    expect(listed.json.map((p: { Size: number }) => p.Size)).toEqual([5 * MiB, 5 * MiB, MiB])

    // Companion: { location, key, bucket }; parts in any order are sorted by the server.
    const parts = etags.map((ETag, i) => ({ PartNumber: i + 1, ETag })).reverse()
    const done = await call('POST', `${base}/complete?${q(key)}`, { parts })
    expect(done.status).toBe(200)
    expect(Object.keys(done.json).sort()).toEqual(['bucket', 'key', 'location'])
    expect(done.json.key).toBe(key)
    expect(await objectSha256(client, bucket, key)).toBe(createHash('sha256').update(bytes).digest('hex'))
  })

  it('abort answers {} and the upload is gone (404 with { error })', async () => {
    const { json } = await call('POST', '/s3/multipart', {
      filename: 'a.bin',
      type: 'application/octet-stream',
    })
    const base = `/s3/multipart/${encodeURIComponent(json.uploadId)}`
    const aborted = await call('DELETE', `${base}?${q(json.key)}`)
    expect(aborted.status).toBe(200)
    expect(aborted.json).toEqual({})
    const listed = await call('GET', `${base}?${q(json.key)}`)
    expect(listed.status).toBe(404)
    expect(typeof listed.json.error).toBe('string')
    // Abort is idempotent: cancel after a sweep still succeeds.
    expect((await call('DELETE', `${base}?${q(json.key)}`)).status).toBe(200)
  })

  it('keys are made by the server: client paths are flattened, foreign keys refused', async () => {
    const { json } = await call('POST', '/s3/multipart', { filename: '../../etc/passwd', type: 'text/plain' })
    expect(json.key).toMatch(/^up\/[0-9a-f]{32}\/passwd$/)
    const base = `/s3/multipart/${encodeURIComponent(json.uploadId)}`
    for (const key of ['../etc/passwd', 'up/evil.txt', `other/${json.key.slice(3)}`, '']) {
      const res = await call('GET', `${base}/1?${q(key)}`)
      expect(res.status).toBe(400)
      expect(res.json.url).toBeUndefined()
    }
    expect((await call('GET', `${base}/0?${q(json.key)}`)).status).toBe(400)
    expect((await call('GET', `${base}/10001?${q(json.key)}`)).status).toBe(400)
  })

  it('authorize says no: 403, no URL, and S3 is not touched', async () => {
    const before = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))
    const denied = await call('POST', '/s3/multipart', { filename: 'x.bin' }, { 'x-deny': 'create' })
    expect(denied.status).toBe(403)
    expect(denied.json.key).toBeUndefined()
    const after = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))
    expect(after.Uploads?.length ?? 0).toBe(before.Uploads?.length ?? 0)

    const { json } = await call('POST', '/s3/multipart', { filename: 'y.bin' })
    const base = `/s3/multipart/${encodeURIComponent(json.uploadId)}`
    const sign = await call('GET', `${base}/1?${q(json.key)}`, undefined, { 'x-deny': 'sign' })
    expect(sign.status).toBe(403)
    expect(sign.text).not.toContain('X-Amz-Signature')
    const batch = await call('GET', `${base}/batch?${q(json.key)}&partNumbers=1,2`, undefined, {
      'x-deny': 'sign',
    })
    expect(batch.status).toBe(403)
    expect(batch.text).not.toContain('http')
    expect((await call('DELETE', `${base}?${q(json.key)}`, undefined, { 'x-deny': 'abort' })).status).toBe(
      403,
    )
    expect((await call('GET', `${base}?${q(json.key)}`)).status).toBe(200) // still there
  })

  it('presigned URLs live as long as urlExpiresIn says', async () => {
    const short = await startSigningServer(s3Env(), { bucket, urlExpiresIn: 2 })
    try {
      const created = await fetch(`${short.base}/s3/multipart`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ filename: 'late.bin' }),
      }).then((r) => r.json() as Promise<{ key: string; uploadId: string }>)
      const signed = await fetch(
        `${short.base}/s3/multipart/${encodeURIComponent(created.uploadId)}/1?${q(created.key)}`,
      ).then((r) => r.json() as Promise<{ url: string; expires: number }>)
      expect(signed.expires).toBe(2)
      await new Promise((r) => setTimeout(r, 3100))
      const put = await fetch(signed.url, { method: 'PUT', body: randomBytes(1024) })
      expect(put.status).toBe(403)
    } finally {
      await short.close()
    }
  })

  it('the sweep aborts multipart uploads older than the given age, and only under keyPrefix', async () => {
    const old = await client.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: 'up/0123456789abcdef0123456789abcdef/old.bin',
      }),
    )
    const outside = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'elsewhere/old.bin' }),
    )
    await new Promise((r) => setTimeout(r, 1100))
    const fresh = await call('POST', '/s3/multipart', { filename: 'fresh.bin' })
    const result = await server.handler.sweep(1000)
    const abortedIds = result.aborted.map((a) => a.uploadId)
    expect(abortedIds).toContain(old.UploadId)
    expect(abortedIds).not.toContain(outside.UploadId)
    expect(abortedIds).not.toContain(fresh.json.uploadId)
    await expect(
      client.send(new ListPartsCommand({ Bucket: bucket, Key: old.Key, UploadId: old.UploadId })),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } })
    await client.send(
      new ListPartsCommand({ Bucket: bucket, Key: fresh.json.key, UploadId: fresh.json.uploadId }),
    )
  })

  it('abortAfter sweeps abandoned uploads in the background', async () => {
    const swept = await startSigningServer(s3Env(), { bucket, keyPrefix: 'bg/', abortAfter: 1000 })
    try {
      const created = await fetch(`${swept.base}/s3/multipart`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ filename: 'abandoned.bin' }),
      }).then((r) => r.json() as Promise<{ key: string; uploadId: string }>)
      const listUrl = `${swept.base}/s3/multipart/${encodeURIComponent(created.uploadId)}?${q(created.key)}`
      expect((await fetch(listUrl)).status).toBe(200)
      const deadline = Date.now() + 10_000
      let status = 200
      while (status === 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250))
        status = (await fetch(listUrl)).status
      }
      expect(status).toBe(404)
    } finally {
      await swept.close()
    }
  })

  it('setCors lets a browser origin PUT parts and read ETag', async () => {
    const origin = 'http://127.0.0.1:5999'
    await server.handler.setCors([origin])
    const env = s3Env()
    const preflight = await fetch(`${env.endpoint}/${bucket}/up/x/y.bin?partNumber=1&uploadId=z`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'content-type',
      },
    })
    expect(preflight.status).toBe(200)
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin)
    expect(preflight.headers.get('access-control-expose-headers') ?? '').toMatch(/etag/i)
    const other = await fetch(`${env.endpoint}/${bucket}/up/x/y.bin`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'PUT' },
    })
    expect(other.status).toBe(403)
  })
})
