import { UploadError } from '@shuttle/protocol'
import { absoluteUrl } from '../../platform.js'
import type { SourceInfo } from '../../ports.js'

/** Temporary credentials (STS-style) for client-side signing. */
export interface S3TemporaryCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  /** When they stop working (Date, ISO string or epoch ms). Refreshed shortly before. */
  expiration?: Date | string | number
}

interface S3CommonOptions {
  /** Bytes per part (≥ 5 MiB). Raised automatically so that a file needs at most 10 000 parts. Default 8 MiB. */
  partSize?: number
}

/** Server-side signing: a signing server with Companion's routes (`@shuttle/server`'s createS3SigningHandler, Uppy Companion). */
export interface S3ServerSigningOptions extends S3CommonOptions {
  /** Base URL of the signing server; routes are `<endpoint>/s3/multipart…`. Default: the uploader's `endpoint`. */
  endpoint?: string
}

/**
 * Client-side signing (SigV4, like ali-oss and the VOD SDK of the seed): the page gets temporary
 * credentials from `getCredentials()` and signs every request itself. Credentials are shared by
 * all files, refreshed once (single-flight) shortly before `expiration`, and once after a 403.
 */
export interface S3DirectSigningOptions extends S3CommonOptions {
  getCredentials(): Promise<S3TemporaryCredentials>
  bucket: string
  region: string
  /** S3 endpoint, e.g. https://s3.eu-west-1.amazonaws.com or http://127.0.0.1:7480. Default: the uploader's `endpoint`. */
  endpoint?: string
  /** http://host/bucket/key instead of http://bucket.host/key. Default true (S3-compatible engines need it). */
  forcePathStyle?: boolean
  /** Object key for a file. Default: `<random>/<file name>`. */
  key?(file: SourceInfo): string
}

export type S3Options = S3ServerSigningOptions | S3DirectSigningOptions

export type NormalizedS3Options =
  | { readonly mode: 'server'; readonly endpoint: string; readonly partSize: number }
  | {
      readonly mode: 'direct'
      readonly endpoint: string
      readonly partSize: number
      readonly bucket: string
      readonly region: string
      readonly forcePathStyle: boolean
      readonly getCredentials: () => Promise<S3TemporaryCredentials>
      readonly key: ((file: SourceInfo) => string) | undefined
    }

export const MIN_PART_SIZE = 5 * 1024 * 1024
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024

const invalid = (message: string) => new UploadError('ERR_INVALID_OPTIONS', message)

export function normalizeS3Options(o: S3Options | undefined, endpoint: string): NormalizedS3Options {
  const partSize = o?.partSize ?? DEFAULT_PART_SIZE
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE) {
    throw invalid(`'s3.partSize' must be an integer of at least ${MIN_PART_SIZE} (5 MiB), got ${partSize}`)
  }
  // A relative s3.endpoint ('/') resolves against the page, like the uploader's endpoint.
  const base = (absoluteUrl(o?.endpoint ?? endpoint) ?? o?.endpoint ?? endpoint).replace(/\/+$/, '')
  if (!/^https?:\/\//.test(base)) throw invalid(`the S3 endpoint must be an http(s) URL, got "${base}"`)
  if (!o || !('getCredentials' in o)) return { mode: 'server', endpoint: base, partSize }
  if (typeof o.getCredentials !== 'function') throw invalid("'s3.getCredentials' must be a function")
  if (typeof o.bucket !== 'string' || o.bucket === '') throw invalid("'s3.bucket' is required")
  if (typeof o.region !== 'string' || o.region === '') throw invalid("'s3.region' is required")
  return {
    mode: 'direct',
    endpoint: base,
    partSize,
    bucket: o.bucket,
    region: o.region,
    forcePathStyle: o.forcePathStyle ?? true,
    getCredentials: () => o.getCredentials(),
    key: o.key,
  }
}
