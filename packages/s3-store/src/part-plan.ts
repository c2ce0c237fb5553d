import { TusError } from '@shuttle/protocol'

/** S3 allows at most this many parts per multipart upload. */
export const MAX_PARTS = 10_000
const MiB = 1024 * 1024

/**
 * The fixed part size P of an upload: part k always holds bytes [(k−1)P, min(kP, size)), so a
 * part's bytes depend only on its number (a late or repeated UploadPart rewrites identical bytes).
 * At least `minPartSize`; large enough that `size` (or `maxSize` for a deferred length) fits in
 * 10 000 parts, rounded up to a whole MiB.
 */
export function partSizeFor(size: number | undefined, minPartSize: number, maxSize: number): number {
  const needed = Math.ceil((size ?? maxSize) / MAX_PARTS)
  if (needed <= minPartSize) return minPartSize
  return Math.ceil(needed / MiB) * MiB
}

/** 413 when bytes up to `end` would need a part number above 10 000. */
export function checkPartLimit(id: string, end: number, partSize: number): void {
  if (Math.ceil(end / partSize) > MAX_PARTS) {
    throw new TusError(
      'ERR_TOO_LARGE',
      413,
      `Upload ${id} would need more than ${MAX_PARTS} parts of ${partSize} bytes (${MAX_PARTS * partSize} bytes in all); declare its length at creation or raise the server's maximum size`,
    )
  }
}
