import { HttpStatusError } from '@shuttle/protocol'
import { describe, expect, it } from 'vitest'
import { systemClock } from '../../platform.js'
import type { HttpResponse } from '../../ports.js'
import type { TransportRequest } from '../transport.js'
import { createDirectClient } from './direct-client.js'
import { createCompanionClient } from './s3-client.js'
import { normalizeS3Options } from './s3-options.js'

const res = (status: number, body = '', headers: Record<string, string> = {}): HttpResponse => ({
  status,
  body,
  header: (n) => headers[n.toLowerCase()],
})
const text = (req: TransportRequest) =>
  req.body?.kind === 'bytes' ? new TextDecoder().decode(req.body.bytes) : undefined

describe('Companion client', () => {
  it('speaks Companion JSON on the signing server routes', async () => {
    const seen: TransportRequest[] = []
    const replies = [
      res(200, JSON.stringify({ key: 'ab/c d.bin', uploadId: 'u/1', bucket: 'b' })),
      res(200, JSON.stringify({ url: 'http://s3/x?sig', expires: 300 })),
      res(404, '{"error":"gone"}'),
      res(200, JSON.stringify({ location: 'http://s3/b/ab/c%20d.bin' })),
    ]
    const send = async (req: TransportRequest) => {
      seen.push(req)
      return replies.shift() ?? res(500)
    }
    const c = createCompanionClient('http://app')
    const ref = await c.create(send, { name: 'c d.bin', type: 'x/y', metadata: { a: '1' } })
    expect(ref).toEqual({ key: 'ab/c d.bin', uploadId: 'u/1' })
    expect(JSON.parse(text(seen[0] as TransportRequest) ?? '')).toEqual({
      filename: 'c d.bin',
      type: 'x/y',
      metadata: { a: '1' },
    })
    expect((await c.signPart(send, ref, 3)).url).toBe('http://s3/x?sig')
    expect(seen[1]?.url).toBe('http://app/s3/multipart/u%2F1/3?key=ab%2Fc%20d.bin')
    expect(await c.listParts(send, ref)).toBe('missing')
    await c.complete(send, ref, [
      { partNumber: 1, size: 5, etag: '"a"' },
      { partNumber: 2, size: 1, etag: '"b"' },
    ])
    expect(seen[3]?.url).toBe('http://app/s3/multipart/u%2F1/complete?key=ab%2Fc%20d.bin')
    expect(JSON.parse(text(seen[3] as TransportRequest) ?? '')).toEqual({
      parts: [
        { PartNumber: 1, ETag: '"a"' },
        { PartNumber: 2, ETag: '"b"' },
      ],
    })
  })
})

describe('direct (client-side SigV4) client', () => {
  const options = (getCredentials: () => Promise<{ accessKeyId: string; secretAccessKey: string }>) => {
    const o = normalizeS3Options(
      { getCredentials, bucket: 'bkt', region: 'us-east-1' },
      'http://127.0.0.1:7480',
    )
    if (o.mode !== 'direct') throw new Error('direct expected')
    return o
  }

  it('presigns part PUTs in the query string, never sending the app headers', async () => {
    const c = createDirectClient(
      options(async () => ({ accessKeyId: 'AK', secretAccessKey: 'SK' })),
      systemClock,
    )
    const signed = await c.signPart(async () => res(500), { key: 'k/f.bin', uploadId: 'U1' }, 7)
    const url = new URL(signed.url)
    expect(url.pathname).toBe('/bkt/k/f.bin')
    expect(url.searchParams.get('partNumber')).toBe('7')
    expect(url.searchParams.get('uploadId')).toBe('U1')
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300')
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AK\/\d{8}\/us-east-1\/s3\/aws4_request$/)
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/)
  })

  it('a 403 on create refreshes the credentials once and signs again', async () => {
    let calls = 0
    const c = createDirectClient(
      options(async () => ({ accessKeyId: `AK${++calls}`, secretAccessKey: 'SK' })),
      systemClock,
    )
    const urls: string[] = []
    const send = async (req: TransportRequest) => {
      urls.push(req.url)
      expect(req.userHeaders).toBe(false)
      if (urls.length === 1) throw new HttpStatusError(403, 'POST', req.url)
      return res(
        200,
        '<InitiateMultipartUploadResult><UploadId>UP-1</UploadId></InitiateMultipartUploadResult>',
      )
    }
    const ref = await c.create(send, { name: 'f.bin', type: '', metadata: { filename: 'f.bin' } })
    expect(ref.uploadId).toBe('UP-1')
    expect(ref.key).toMatch(/^[0-9a-f]{32}\/f\.bin$/)
    expect(calls).toBe(2)
    expect(urls[0]).toContain('X-Amz-Credential=AK1')
    expect(urls[1]).toContain('X-Amz-Credential=AK2')
  })
})
