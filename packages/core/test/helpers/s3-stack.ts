import type { S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll } from 'vitest'
import { adminClient, createTestBucket, dropTestBucket, s3Env } from '../../../server/test/helpers/s3-env.js'
import { type S3Proxy, startS3Proxy } from '../../../server/test/helpers/s3-proxy.js'
import { type SigningServer, startSigningServer } from '../../../server/test/helpers/s3-signing-server.js'

/** What a test file's S3 tests share: read its fields inside the tests. */
export interface S3Stack {
  readonly client: S3Client
  /** A bucket of this test file's own. */
  readonly bucket: string
  /** A recording proxy in front of the S3 engine. */
  readonly proxy: S3Proxy
  /** A signing server whose presigned URLs name the proxy; only with `signing: true`. */
  readonly signing: SigningServer
}

/** Starts an S3 stack before the test file's tests (beforeAll) and takes it down after them. */
export function useS3Stack(bucketLabel: string, options: { signing?: boolean } = {}): S3Stack {
  let client: S3Client | undefined
  let bucket: string | undefined
  let proxy: S3Proxy | undefined
  let signing: SigningServer | undefined
  beforeAll(async () => {
    client = adminClient()
    bucket = await createTestBucket(client, bucketLabel)
    proxy = await startS3Proxy(s3Env().endpoint)
    if (options.signing) signing = await startSigningServer(s3Env(), { bucket, s3Endpoint: proxy.endpoint })
  })
  afterAll(async () => {
    await signing?.close()
    await proxy?.close()
    if (client && bucket) await dropTestBucket(client, bucket)
  })
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useS3Stack: no ${what} (outside the tests, or not asked for)`)
    return value
  }
  return {
    get client() {
      return need(client, 'client')
    },
    get bucket() {
      return need(bucket, 'bucket')
    },
    get proxy() {
      return need(proxy, 'proxy')
    },
    get signing() {
      return need(signing, 'signing server')
    },
  }
}
