import { parseArgs } from 'node:util'
import { UploadError } from '@shuttle/protocol'
import { createS3Client, setBucketCors } from '@shuttle/s3-signing'
import {
  S3_CONNECTION_FLAGS,
  S3_CONNECTION_HELP,
  type S3Connection,
  s3ClientOptions,
  s3Connection,
} from '../s3-connection.js'

export const S3_CORS_HELP = `Usage: shuttle s3-cors --bucket NAME --origin ORIGIN [options]

Sets the bucket's CORS rules so browsers on ORIGIN can send multipart parts straight to it and
read each part's ETag (without it a browser cannot complete the upload). Replaces the bucket's
existing CORS rules.

Options:
  --bucket NAME          the bucket (required)
  --origin ORIGIN        page origin allowed to upload, e.g. https://app.example.com; repeat for
                         several; * for any (required)
${S3_CONNECTION_HELP}
  -h, --help             show this help

Example:
  S3_ENDPOINT=http://127.0.0.1:7480 shuttle s3-cors --bucket uploads --origin http://127.0.0.1:1080`

const usage = (message: string) => new UploadError('ERR_INVALID_OPTIONS', message)

export interface S3CorsOptions extends S3Connection {
  bucket: string
  origins: string[]
  help: boolean
}

export function parseS3CorsArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): S3CorsOptions {
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse(argv).values
  } catch (err) {
    throw usage((err as Error).message)
  }
  const help = values.help ?? false
  const bucket = values.bucket ?? ''
  const origins = values.origin ?? []
  if (!help) {
    if (!bucket) throw usage('--bucket NAME is required')
    if (origins.length === 0) throw usage('--origin ORIGIN is required, e.g. --origin http://127.0.0.1:1080')
    for (const o of origins) {
      if (o !== '*' && !/^https?:\/\/[^/]+$/.test(o)) {
        throw usage(`--origin: "${o}" is not an origin (scheme://host[:port], no path)`)
      }
    }
  }
  return { bucket, origins, ...s3Connection(values, env), help }
}

/** `shuttle s3-cors`: one PutBucketCors; 0 on success, 1 when S3 refused. */
export async function s3CorsCommand(argv: string[]): Promise<number> {
  const o = parseS3CorsArgs(argv)
  if (o.help) {
    process.stdout.write(`${S3_CORS_HELP}\n`)
    return 0
  }
  const client = createS3Client(s3ClientOptions(o))
  try {
    await setBucketCors({ client, bucket: o.bucket, origins: o.origins })
    process.stdout.write(
      `CORS rules set on bucket ${o.bucket} for ${o.origins.join(', ')} (PUT parts, ETag exposed)\n`,
    )
    return 0
  } catch (err) {
    const e = err as { name?: string; message?: string }
    process.stderr.write(
      `shuttle: setting CORS on ${o.bucket} failed: ${e.name ?? 'Error'}: ${e.message ?? String(err)}\n`,
    )
    return 1
  } finally {
    client.destroy()
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      bucket: { type: 'string' },
      origin: { type: 'string', multiple: true },
      ...S3_CONNECTION_FLAGS,
      help: { type: 'boolean', short: 'h' },
    },
  })
}
