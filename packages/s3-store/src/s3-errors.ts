import { isUploadError, TusError } from '@shuttle/protocol'

/** The error name or code S3 (or the SDK) gave, e.g. 'NoSuchKey'. */
export function s3Code(err: unknown): string | undefined {
  const e = err as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } } | undefined
  return e?.Code ?? e?.name
}

/** The object (or, on Ceph RGW, the multipart upload) does not exist. */
export function isNotFound(err: unknown): boolean {
  const code = s3Code(err)
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode
  return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchUpload' || status === 404
}

/** Anything S3 failed with that is not ours to explain: a 502 the client may retry. */
export function storageError(err: unknown, id: string, what: string): unknown {
  // Ours already (a lost lease, 409, 413, a damaged upload): it says what happened.
  if (isUploadError(err)) return err
  if ((err as { name?: string })?.name === 'AbortError') return err
  const why = s3Code(err) ?? (err instanceof Error ? err.message : String(err))
  return new TusError(
    'ERR_S3',
    502,
    `The storage failed while ${what} upload ${id} (${why}); nothing acknowledged was lost. Retry, or HEAD the upload to learn its offset.`,
    { cause: err, retryable: true },
  )
}

export function notFound(id: string): TusError {
  return new TusError('ERR_NOT_FOUND', 404, `Upload ${id} not found`)
}

export function damaged(id: string, why: string): TusError {
  return new TusError(
    'ERR_DAMAGED',
    410,
    `Upload ${id} is damaged (${why}); delete it and upload the file again`,
  )
}
