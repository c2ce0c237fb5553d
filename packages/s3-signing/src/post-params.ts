import { createHmac } from 'node:crypto'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { s3Metadata } from './actions.js'
import type { NormalizedS3Options } from './options.js'

/**
 * Companion's answer to `GET /s3/params`: an S3 POST policy (a form upload of the whole file in one
 * request). @uppy/aws-s3 6 sends only this shape (`url` + `fields`, the file last in the form);
 * earlier versions follow `method` and take it too.
 */
export interface PostParams {
  method: 'POST'
  url: string
  fields: Record<string, string>
  headers: Record<string, never>
  /** Seconds the policy stays valid. */
  expires: number
}

/** S3 refuses a single PUT/POST object above 5 GiB. */
const MAX_SINGLE_OBJECT = 5 * 1024 ** 3

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
 * A signed POST policy (SigV4) for one object: @uppy/aws-s3 uses it for files below its multipart
 * threshold (100 MiB by default). The policy pins the key, the Content-Type and the metadata, so the
 * object gets exactly what the server signed; S3 refuses a form that changes them.
 */
export async function postParams(
  o: NormalizedS3Options,
  key: string,
  type: string,
  metadata: Record<string, string>,
): Promise<PostParams> {
  const config = o.client.config
  const credentials = await config.credentials()
  const region = await config.region()
  const now = new Date()
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '') // 20260101T000000Z
  const day = stamp.slice(0, 8)
  const scope = `${day}/${region}/s3/aws4_request`
  const fields: Record<string, string> = {
    key,
    'Content-Type': type,
    ...Object.fromEntries(Object.entries(s3Metadata(metadata)).map(([k, v]) => [`x-amz-meta-${k}`, v])),
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-credential': `${credentials.accessKeyId}/${scope}`,
    'x-amz-date': stamp,
    ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
  }
  const policy = Buffer.from(
    JSON.stringify({
      expiration: new Date(now.getTime() + o.urlExpiresIn * 1000).toISOString(),
      conditions: [
        { bucket: o.bucket },
        ...Object.entries(fields).map(([k, v]) => ({ [k]: v })),
        ['content-length-range', 0, MAX_SINGLE_OBJECT],
      ],
    }),
  ).toString('base64')
  const hmac = (k: string | Buffer, data: string) => createHmac('sha256', k).update(data).digest()
  const signingKey = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), 's3'),
    'aws4_request',
  )
  fields.policy = policy
  fields['x-amz-signature'] = createHmac('sha256', signingKey).update(policy).digest('hex')
  return { method: 'POST', url: await bucketUrl(o, key), fields, headers: {}, expires: o.urlExpiresIn }
}

/** The bucket's URL as the client addresses it (path style or virtual host): a presigned URL's, less the key. */
async function bucketUrl(o: NormalizedS3Options, key: string): Promise<string> {
  const signed = new URL(await getSignedUrl(o.client, new PutObjectCommand({ Bucket: o.bucket, Key: key })))
  const path = signed.pathname
  const keyPath = `/${key.split('/').map(encodeURIComponent).join('/')}`
  const base = path.endsWith(keyPath) ? path.slice(0, -keyPath.length) : path
  return `${signed.origin}${base}/`
}
