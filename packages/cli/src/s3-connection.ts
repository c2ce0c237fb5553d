import { UploadError } from '@shuttle/protocol'

/** How to reach an S3-compatible store: what `serve --s3-bucket` and `s3-cors` both take. */
export interface S3Connection {
  endpoint: string | undefined
  region: string
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined
  forcePathStyle: boolean | undefined
}

/** parseArgs option specs of the connection flags; spread into a command's own options. */
export const S3_CONNECTION_FLAGS = {
  's3-endpoint': { type: 'string' },
  's3-region': { type: 'string' },
  's3-access-key': { type: 'string' },
  's3-secret-key': { type: 'string' },
  's3-force-path-style': { type: 'boolean' },
} as const

/** Their lines in a command's --help. */
export const S3_CONNECTION_HELP = `  --s3-endpoint URL      S3-compatible endpoint (env S3_ENDPOINT; default AWS), e.g. http://127.0.0.1:7480
  --s3-region REGION     (env S3_REGION; default us-east-1)
  --s3-access-key KEY    (env S3_ACCESS_KEY; default: the AWS SDK's credential chain)
  --s3-secret-key KEY    (env S3_SECRET_KEY)
  --s3-force-path-style  http://host/bucket/key addressing (env S3_FORCE_PATH_STYLE=true; default on
                         when an endpoint is set)`

interface ConnectionValues {
  's3-endpoint'?: string | undefined
  's3-region'?: string | undefined
  's3-access-key'?: string | undefined
  's3-secret-key'?: string | undefined
  's3-force-path-style'?: boolean | undefined
}

/** Flags win over S3_* environment variables; the endpoint must be http(s), a key pair complete. */
export function s3Connection(values: ConnectionValues, env: NodeJS.ProcessEnv): S3Connection {
  const endpoint = values['s3-endpoint'] ?? (env.S3_ENDPOINT || undefined)
  if (endpoint !== undefined && !/^https?:\/\//.test(endpoint)) {
    throw new UploadError('ERR_INVALID_OPTIONS', `--s3-endpoint: "${endpoint}" must be an http(s) URL`)
  }
  const accessKeyId = values['s3-access-key'] ?? (env.S3_ACCESS_KEY || undefined)
  const secretAccessKey = values['s3-secret-key'] ?? (env.S3_SECRET_KEY || undefined)
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new UploadError(
      'ERR_INVALID_OPTIONS',
      'give both --s3-access-key and --s3-secret-key (or S3_ACCESS_KEY and S3_SECRET_KEY), or neither',
    )
  }
  return {
    endpoint,
    region: values['s3-region'] ?? (env.S3_REGION || 'us-east-1'),
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    forcePathStyle: values['s3-force-path-style'] ?? (env.S3_FORCE_PATH_STYLE === 'true' ? true : undefined),
  }
}

/** The connection as S3 client options: only what is set, so the SDK's defaults apply to the rest. */
export function s3ClientOptions(c: S3Connection) {
  return {
    region: c.region,
    ...(c.endpoint ? { endpoint: c.endpoint } : {}),
    ...(c.credentials ? { credentials: c.credentials } : {}),
    ...(c.forcePathStyle !== undefined ? { forcePathStyle: c.forcePathStyle } : {}),
  }
}
