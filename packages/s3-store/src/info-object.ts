import type { NewUpload } from '@shuttle/server'

/** What `<prefix><id>.info` holds: the upload, and where its bytes are in S3. */
export interface StoredInfo extends NewUpload {
  readonly version: 1
  /** The S3 multipart upload of the data key; undefined once completed (or for 0-byte uploads). */
  readonly uploadId: string | undefined
  /** Every part but the last holds exactly this many bytes. */
  readonly partSize: number
  /** The data object is complete (CompleteMultipartUpload done and its length checked). */
  readonly finished: boolean
  /** The server checked the declared identity against the stored bytes (`recordIdentity`). */
  readonly identityVerified?: boolean
  /**
   * When set, only parts 1..trustedParts count toward the offset: higher part numbers may hold bytes
   * of a checksummed write not verified yet, or refused (S3 cannot delete one part of a multipart
   * upload; the write that sends those bytes again replaces the part). Set by the first checksummed
   * write that uploads a part, moved on by every write that stores parts after it.
   */
  readonly trustedParts?: number
}

const HEX64_RE = /^[0-9a-f]{64}$/

export function encodeInfo(info: StoredInfo): string {
  return JSON.stringify(info)
}

/** The stored info, or undefined when the JSON is not one (cut, garbage, another version). */
export function decodeInfo(text: string, id: string): StoredInfo | undefined {
  let o: Partial<StoredInfo>
  try {
    o = JSON.parse(text) as Partial<StoredInfo>
  } catch {
    return undefined
  }
  const sizeOk = o.size === undefined || o.size === null || (Number.isSafeInteger(o.size) && o.size >= 0)
  if (
    o?.version !== 1 ||
    o.id !== id ||
    !sizeOk ||
    !Number.isSafeInteger(o.partSize) ||
    (o.partSize as number) <= 0 ||
    typeof o.finished !== 'boolean' ||
    typeof o.createdAt !== 'number' ||
    typeof o.metadata !== 'object' ||
    o.metadata === null ||
    (o.owner !== undefined && typeof o.owner !== 'string') ||
    (o.publicRead !== undefined && typeof o.publicRead !== 'boolean') ||
    (o.identity !== undefined && (typeof o.identity !== 'string' || !HEX64_RE.test(o.identity))) ||
    (o.identityVerified !== undefined && typeof o.identityVerified !== 'boolean') ||
    (o.trustedParts !== undefined && !(Number.isSafeInteger(o.trustedParts) && o.trustedParts >= 0))
  ) {
    return undefined
  }
  return {
    version: 1,
    id,
    size: o.size ?? undefined,
    metadata: o.metadata,
    createdAt: o.createdAt,
    expiresAt: o.expiresAt ?? undefined,
    concat: o.concat ?? undefined,
    ...(o.owner !== undefined ? { owner: o.owner } : {}),
    ...(o.publicRead === true ? { publicRead: true } : {}),
    ...(o.identity !== undefined ? { identity: o.identity } : {}),
    ...(o.identity !== undefined && o.identityVerified === true ? { identityVerified: true } : {}),
    uploadId: typeof o.uploadId === 'string' ? o.uploadId : undefined,
    partSize: o.partSize as number,
    finished: o.finished,
    ...(o.trustedParts !== undefined ? { trustedParts: o.trustedParts } : {}),
  }
}
