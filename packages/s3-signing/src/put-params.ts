import { PutObjectCommand } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { s3Metadata } from './actions.js'
import type { NormalizedS3Options } from './options.js'

/** Companion's answer to `GET /s3/params`: how to PUT the whole file in one request. */
export interface PutParams {
  method: 'PUT'
  url: string
  fields: Record<string, never>
  headers: Record<string, string>
}

/**
 * `metadata[name]=value` query parameters (what @uppy/aws-s3 sends, Companion's format) as an object.
 */
export function metadataFromQuery(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of query) {
    const m = /^metadata\[(.+)\]$/.exec(k)
    if (m?.[1]) out[m[1]] = v
  }
  return out
}

/**
 * A presigned PUT of one object: @uppy/aws-s3 uses it for files below its multipart threshold
 * (100 MiB by default). The Content-Type and metadata are part of the signature, so the browser
 * must send the returned headers, and the object gets exactly the type the server signed.
 */
export async function putParams(
  o: NormalizedS3Options,
  key: string,
  type: string,
  metadata: Record<string, string>,
): Promise<PutParams> {
  const meta = s3Metadata(metadata)
  const url = await getSignedUrl(
    o.client,
    new PutObjectCommand({ Bucket: o.bucket, Key: key, ContentType: type, Metadata: meta }),
    // x-amz-meta-* stay in the query string (hoisted), so only Content-Type is a header to send.
    { expiresIn: o.urlExpiresIn, signableHeaders: new Set(['content-type']) },
  )
  return { method: 'PUT', url, fields: {}, headers: { 'content-type': type } }
}
