import type { S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../../server/src/conformance/runner.js'
import { adminClient, createTestBucket, dropTestBucket, s3Env } from '../../server/test/helpers/s3-env.js'
import { type SigningServer, startSigningServer } from '../../server/test/helpers/s3-signing-server.js'
import { bearer, expiredBearer, forgedBearer, SECRET } from '../../server/test/helpers/tokens.js'

// The signing routes with upload tokens on Ceph RGW: the same tokens as the tus server, keys under
// the subject's prefix, and another subject's key answered as an upload that does not exist.

let client: S3Client
let bucket: string
let server: SigningServer

beforeAll(async () => {
  client = adminClient()
  bucket = await createTestBucket(client, 'tokens')
  server = await startSigningServer(s3Env(), { bucket, keyPrefix: 'up/', tokens: { secret: SECRET } })
})
afterAll(async () => {
  await server?.close()
  if (bucket) await dropTestBucket(client, bucket)
})

async function call(
  method: string,
  path: string,
  auth: Record<string, string>,
  body?: unknown,
  base = server.base,
) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body ? { 'Content-Type': 'application/json' } : {}), ...auth },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  const text = await res.text()
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined }
}
const q = (key: string) => `key=${encodeURIComponent(key)}`

describe('S3 signing routes with upload tokens', () => {
  it('401 with a Bearer challenge without a valid token; nothing is created', async () => {
    for (const auth of [{}, await expiredBearer('alice'), await forgedBearer('alice')]) {
      const r = await call('POST', '/s3/multipart', auth, {
        filename: 'a.bin',
        type: 'application/octet-stream',
      })
      expect(r.status).toBe(401)
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/)
      expect(r.json.error).toMatch(/token/)
    }
  })

  it("keys lie under the subject's prefix; another subject's key is 404 like a gone upload, for every action", async () => {
    const alice = await bearer('alice/../bob')
    const mallory = await bearer('mallory')
    const created = await call('POST', '/s3/multipart', alice, {
      filename: 'x.bin',
      type: 'application/octet-stream',
    })
    expect(created.status).toBe(200)
    // The subject is percent-encoded: it can neither add a level nor climb out of its prefix.
    expect(created.json.key).toMatch(/^up\/alice%2F%2E%2E%2Fbob\/[0-9a-f]{32}\/x\.bin$/)
    const base = `/s3/multipart/${encodeURIComponent(created.json.uploadId)}`
    const own = await call('GET', `${base}/1?${q(created.json.key)}`, alice)
    expect(own.status).toBe(200)
    expect(own.json.url).toMatch(/^http/)

    // What a gone upload of one's own answers: the body a stranger must get too.
    const mine = await call('POST', '/s3/multipart', mallory, {
      filename: 'm.bin',
      type: 'application/octet-stream',
    })
    const mineBase = `/s3/multipart/${encodeURIComponent(mine.json.uploadId)}`
    expect((await call('DELETE', `${mineBase}?${q(mine.json.key)}`, mallory)).status).toBe(200)
    const gone = await call('GET', `${mineBase}?${q(mine.json.key)}`, mallory)
    expect(gone.status).toBe(404)

    for (const [method, path, body] of [
      ['GET', `${base}/1`, undefined],
      ['GET', `${base}/batch?partNumbers=1,2&`, undefined],
      ['GET', base, undefined],
      ['POST', `${base}/complete`, { parts: [{ PartNumber: 1, ETag: '"x"' }] }],
      ['DELETE', base, undefined],
    ] as const) {
      const sep = path.endsWith('&') ? '' : '?'
      const r = await call(method, `${path}${sep}${q(created.json.key)}`, mallory, body)
      expect(r.status, `${method} ${path}`).toBe(404)
      expect(r.json).toEqual(gone.json)
      expect(r.json.url ?? r.json.presignedUrls).toBeUndefined()
    }
    // The stranger's DELETE did not abort it: the owner still lists it.
    expect((await call('GET', `${base}?${q(created.json.key)}`, alice)).status).toBe(200)
  })

  it("a token's types apply to S3 uploads too: 415", async () => {
    const t = await bearer('alice', { types: ['image/*'] })
    const refused = await call('POST', '/s3/multipart', t, { filename: 'a.html', type: 'text/html' })
    expect(refused.status).toBe(415)
    expect(refused.json.error).toMatch(/not a type your upload token allows \(image\/\*\)/)
    expect((await call('POST', '/s3/multipart', t, { filename: 'a.png', type: 'image/png' })).status).toBe(
      200,
    )
  })

  it('new uploads per window per subject: 429 with Retry-After, then success once the window frees', async () => {
    const limited = await startSigningServer(s3Env(), {
      bucket,
      keyPrefix: 'rl/',
      tokens: { secret: SECRET },
      quotas: { creations: 1, windowMs: 1000 },
    })
    try {
      const alice = await bearer('alice')
      const make = (auth: Record<string, string>) =>
        call(
          'POST',
          '/s3/multipart',
          auth,
          { filename: 'a.bin', type: 'application/octet-stream' },
          limited.base,
        )
      expect((await make(alice)).status).toBe(200)
      const refused = await make(alice)
      expect(refused.status).toBe(429)
      expect(refused.headers.get('retry-after')).toBe('1')
      expect(refused.json.error).toMatch(
        /Too many new uploads: this server allows 1 per 1 s\. Retry in 1 s\./,
      )
      expect((await make(await bearer('bob'))).status).toBe(200)
      await waitUntil(async () => (await make(alice)).status === 200, 5000, "alice's window frees a slot")
    } finally {
      await limited.close()
    }
  })
})
