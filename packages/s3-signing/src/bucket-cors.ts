import { PutBucketCorsCommand, type S3Client } from '@aws-sdk/client-s3'

export interface BucketCorsOptions {
  client: S3Client
  bucket: string
  /** Page origins allowed to PUT parts, e.g. ['https://app.example.com']. '*' allows any. */
  origins: readonly string[]
  /** Preflight cache in seconds. Default 3000. */
  maxAgeSeconds?: number
}

/**
 * Sets the bucket's CORS rules so browsers can upload parts straight to it: PUT (parts), plus
 * GET/POST/DELETE/HEAD for client-side signing (ListParts, Create/Complete, Abort), and the
 * ETag response header exposed, without which a browser cannot complete a multipart upload.
 * Replaces the bucket's existing CORS configuration.
 *
 * @example
 * await setBucketCors({ client, bucket: 'uploads', origins: ['http://127.0.0.1:1080'] })
 */
export async function setBucketCors(o: BucketCorsOptions): Promise<void> {
  await o.client.send(
    new PutBucketCorsCommand({
      Bucket: o.bucket,
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: [...o.origins],
            AllowedMethods: ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'],
            AllowedHeaders: ['*'],
            ExposeHeaders: ['ETag', 'Location'],
            MaxAgeSeconds: o.maxAgeSeconds ?? 3000,
          },
        ],
      },
    }),
  )
}
