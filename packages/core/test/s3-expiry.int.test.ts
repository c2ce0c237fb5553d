import { createUploader, type S3TemporaryCredentials } from '@shuttle/core'
import { describe, expect, it } from 'vitest'
import { objectSha256, s3Env } from '../../server/test/helpers/s3-env.js'
import { startSigningServer } from '../../server/test/helpers/s3-signing-server.js'
import { waitForCompletion } from './helpers/engine.js'
import { MiB } from './helpers/files.js'
import { recordS3Uploads } from './helpers/s3.js'
import { useS3Stack } from './helpers/s3-stack.js'
import { useSourceFiles } from './helpers/source-files.js'

// Expiring signatures never fail an upload: short-lived presigned URLs are signed again, and
// client-side temporary credentials are refreshed once per expiry for all files and parts.

const PART = 5 * MiB

const s3 = useS3Stack('expiry')
const files = useSourceFiles('s3-expiry', [30 * MiB, 30 * MiB])

describe('S3 signatures that expire mid-upload', () => {
  it('presigned URLs living 2 s on a throttled upload: expired parts are re-signed and the file completes', async () => {
    const { client, bucket, proxy } = s3
    const signing = await startSigningServer(s3Env(), { bucket, s3Endpoint: proxy.endpoint, urlExpiresIn: 2 })
    const firstTry = new Set<number>()
    // Throttled, and the first PUT of every part waits 2.5 s before it reaches S3 (a queue, a slow
    // proxy, a sleeping laptop): its URL has expired by then.
    proxy.setRate(8 * MiB)
    proxy.setFault((e) => {
      if (e.method !== 'PUT' || e.partNumber === null || firstTry.has(e.partNumber)) return undefined
      firstTry.add(e.partNumber)
      return e.partNumber % 2 === 1 ? { delayMs: 2500 } : undefined
    })
    const up = createUploader({
      protocol: 's3',
      endpoint: signing.base,
      s3: { partSize: PART },
      parallelUploads: 2,
    })
    const refs = recordS3Uploads(up)
    let retries = 0
    up.on('retry', () => retries++)
    try {
      const [id] = up.add(files[0]?.path as string) as [string]
      await waitForCompletion(up, [id], 90_000)
      const ref = refs.get(id)
      if (!ref) throw new Error('no upload')
      const puts = proxy.partPuts(ref.uploadId)
      const refused = puts.filter((e) => e.status === 403)
      expect(refused.map((e) => e.partNumber).sort()).toEqual([1, 3, 5])
      // Re-signed: one sign request per PUT, more than one per part for the refused ones.
      const signs = signing.requests.filter((r) => /\/s3\/multipart\/[^/]+\/\d+\?/.test(r.path))
      expect(signs.length).toBe(puts.length)
      expect(puts.filter((e) => e.status === 200).length).toBe(6)
      expect(retries).toBe(0)
      expect(await objectSha256(client, bucket, ref.key)).toBe(files[0]?.sha256)
    } finally {
      proxy.setFault(null)
      proxy.setRate(null)
      await up.destroy()
      await signing.close()
    }
  })

  it('client-side signing: credentials expiring every 3 s are refreshed once per expiry, single-flight', async () => {
    const { client, bucket, proxy } = s3
    const env = s3Env()
    let calls = 0
    let concurrent = 0
    let maxConcurrent = 0
    const getCredentials = async (): Promise<S3TemporaryCredentials> => {
      calls++
      concurrent++
      maxConcurrent = Math.max(maxConcurrent, concurrent)
      await new Promise((r) => setTimeout(r, 50))
      concurrent--
      // RGW's static keys, reported as temporary: the refresh logic is what is under test.
      return {
        accessKeyId: env.accessKeyId,
        secretAccessKey: env.secretAccessKey,
        expiration: new Date(Date.now() + 3000),
      }
    }
    const up = createUploader({
      protocol: 's3',
      endpoint: proxy.endpoint,
      s3: { getCredentials, bucket, region: env.region, partSize: PART },
      parallelUploads: 2,
      maxConcurrentUploads: 2,
    })
    const refs = recordS3Uploads(up)
    proxy.setRate(3 * MiB) // 2 files × 2 parts × 3 MiB/s: ~5 s for 60 MiB
    const started = Date.now()
    try {
      const ids = up.add(files.map((f) => f.path))
      await waitForCompletion(up, ids, 90_000)
      const elapsed = Date.now() - started
      const requests = proxy.log.filter((e) => e.start >= started).length
      // Refreshed at 80 % of the 3 s lifetime: about one call per 2.4 s, whatever the request count.
      expect(elapsed).toBeGreaterThan(3000)
      expect(calls).toBeGreaterThanOrEqual(2)
      expect(calls).toBeLessThanOrEqual(Math.ceil(elapsed / 2400) + 1)
      expect(calls).toBeLessThan(requests / 3)
      expect(maxConcurrent).toBe(1)
      for (const [i, id] of ids.entries()) {
        const ref = refs.get(id)
        if (!ref) throw new Error('no upload')
        expect(await objectSha256(client, bucket, ref.key)).toBe(files[i]?.sha256)
      }
    } finally {
      proxy.setRate(null)
      await up.destroy()
    }
  })

  it('an ExpiredToken 403 refreshes the credentials once and retries the part, never restarting the file', async () => {
    const { client, bucket, proxy } = s3
    const env = s3Env()
    let calls = 0
    const getCredentials = async (): Promise<S3TemporaryCredentials> => {
      calls++
      return {
        accessKeyId: env.accessKeyId,
        secretAccessKey: env.secretAccessKey,
        expiration: new Date(Date.now() + 3600_000).toISOString(),
      }
    }
    let injected = 0
    proxy.setFault((e) => {
      if (e.method !== 'PUT' || e.partNumber !== 3 || injected > 0) return undefined
      injected++
      return {
        status: 403,
        body: '<?xml version="1.0"?><Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>',
      }
    })
    const up = createUploader({
      protocol: 's3',
      endpoint: proxy.endpoint,
      s3: { getCredentials, bucket, region: env.region, partSize: PART },
      parallelUploads: 2,
    })
    const refs = recordS3Uploads(up)
    const seen: string[] = []
    up.on('retry', () => seen.push('retry'))
    up.on('upload-restarted', () => seen.push('restarted'))
    up.on('upload-created', () => seen.push('created'))
    const started = Date.now()
    try {
      const [id] = up.add(files[1]?.path as string) as [string]
      await waitForCompletion(up, [id], 60_000)
      const ref = refs.get(id)
      if (!ref) throw new Error('no upload')
      expect(injected).toBe(1)
      expect(calls).toBe(2)
      expect(seen).toEqual(['created'])
      const creates = proxy.log.filter(
        (e) => e.start >= started && e.method === 'POST' && e.uploadId === null,
      )
      expect(creates.length).toBe(1)
      const part3 = proxy.partPuts(ref.uploadId).filter((e) => e.partNumber === 3)
      expect(part3.map((e) => e.status)).toEqual([403, 200])
      expect(await objectSha256(client, bucket, ref.key)).toBe(files[1]?.sha256)
    } finally {
      proxy.setFault(null)
      await up.destroy()
    }
  })
})
