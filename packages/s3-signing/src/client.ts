import { S3Client } from '@aws-sdk/client-s3'
import type { S3Credentials } from './options.js'

export interface S3ClientOptions {
  endpoint?: string
  region?: string
  credentials?: S3Credentials
  forcePathStyle?: boolean
}

/**
 * An S3Client that works with S3-compatible engines too: path-style addressing when an endpoint
 * is given, and checksums only when an operation requires them (SDK ≥ 3.729 otherwise sends
 * streamed bodies aws-chunked with a trailer, which Ceph RGW answers with 411).
 */
export function createS3Client(o: S3ClientOptions): S3Client {
  return new S3Client({
    region: o.region ?? 'us-east-1',
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
    forcePathStyle: o.forcePathStyle ?? o.endpoint !== undefined,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
}
