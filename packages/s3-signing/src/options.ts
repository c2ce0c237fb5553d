import type { IncomingMessage } from 'node:http'
import type { S3Client } from '@aws-sdk/client-s3'
import { UploadError } from '@shuttle/protocol'
import type { Logger } from '@shuttle/server'
import { createS3Client } from './client.js'

/** What a signing request wants to do; `authorize` decides per action and key. */
export type S3Action = 'create' | 'sign' | 'list' | 'complete' | 'abort'

export interface S3Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export interface S3SigningOptions {
  bucket: string
  /** An S3Client of your own (credentials, retries, proxies). Otherwise one is built from the fields below. */
  client?: S3Client
  /** S3-compatible endpoint, e.g. http://127.0.0.1:7480 (Ceph RGW). Default: AWS. */
  endpoint?: string
  /** Default 'us-east-1'. */
  region?: string
  credentials?: S3Credentials
  /** Path-style URLs (http://host/bucket/key). Default true when `endpoint` is set: S3-compatible engines need it. */
  forcePathStyle?: boolean
  /** Who may do what. Return false (or throw) to answer 403 without touching S3. Default: everyone. */
  authorize?: (req: IncomingMessage, action: S3Action, key: string) => boolean | Promise<boolean>
  /** Lifetime of presigned part URLs in seconds. Default 300: minutes, not days. */
  urlExpiresIn?: number
  /** Prefix of every generated object key, e.g. 'uploads/'. Default ''. */
  keyPrefix?: string
  /** Mount path of the routes. Default '/s3/' (Companion's paths: /s3/multipart/…). */
  path?: string
  /** Origins allowed to call the signing routes from a browser ('*' echoes any origin). Default: no CORS headers. */
  corsOrigins?: '*' | readonly string[]
  /**
   * Abort multipart uploads (under `keyPrefix`) started more than this many milliseconds ago, from
   * a background sweep. Default: never (call `sweep()` yourself). Pick an age above your longest pause.
   */
  abortAfter?: number
  /** Largest JSON request body (Complete lists up to 10 000 parts). Default 1 MiB. */
  maxBodyBytes?: number
  logger?: Logger
}

export interface NormalizedS3Options {
  readonly bucket: string
  readonly client: S3Client
  readonly ownsClient: boolean
  readonly authorize: NonNullable<S3SigningOptions['authorize']>
  readonly urlExpiresIn: number
  readonly keyPrefix: string
  readonly basePath: string
  readonly corsOrigins: '*' | readonly string[] | undefined
  readonly maxBodyBytes: number
  readonly abortAfter: number | undefined
  readonly logger: Logger
}

const invalid = (message: string) => new UploadError('ERR_INVALID_OPTIONS', message)

const consoleLogger: Logger = {
  error: (message, err) => console.error(`[shuttle s3] ${message}`, err),
}

/** Validates once and fills defaults; the caller's object is never mutated (STYLE 3.13). */
export function normalizeS3Options(o: S3SigningOptions): NormalizedS3Options {
  if (!o || typeof o.bucket !== 'string' || o.bucket === '') throw invalid("'bucket' is required")
  const urlExpiresIn = o.urlExpiresIn ?? 300
  if (!Number.isInteger(urlExpiresIn) || urlExpiresIn < 1 || urlExpiresIn > 7 * 24 * 3600) {
    throw invalid(`'urlExpiresIn' must be whole seconds between 1 and 604800, got ${urlExpiresIn}`)
  }
  const keyPrefix = o.keyPrefix ?? ''
  if (keyPrefix.startsWith('/') || keyPrefix.includes('..')) {
    throw invalid(`'keyPrefix' must not start with '/' or contain '..', got ${keyPrefix}`)
  }
  let basePath = o.path ?? '/s3/'
  if (!basePath.startsWith('/')) basePath = `/${basePath}`
  if (!basePath.endsWith('/')) basePath = `${basePath}/`
  if (o.abortAfter !== undefined && !(Number.isFinite(o.abortAfter) && o.abortAfter > 0)) {
    throw invalid(`'abortAfter' must be a positive number of milliseconds, got ${o.abortAfter}`)
  }
  return {
    bucket: o.bucket,
    client: o.client ?? createS3Client(o),
    ownsClient: o.client === undefined,
    authorize: o.authorize ?? (() => true),
    urlExpiresIn,
    keyPrefix,
    basePath,
    corsOrigins: o.corsOrigins,
    maxBodyBytes: o.maxBodyBytes ?? 1024 * 1024,
    abortAfter: o.abortAfter,
    logger: o.logger ?? consoleLogger,
  }
}
