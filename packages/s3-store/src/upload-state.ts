import type { Bucket, ListedObject, StoredPart } from './bucket.js'
import type { StoredInfo } from './info-object.js'
import { damaged, isNotFound } from './s3-errors.js'

/** Where an unfinished upload's bytes are: parts 1..k, then tail k+1. */
export interface UploadState {
  info: StoredInfo
  offset: number
  lastWriteAt: number
  /** Contiguous stored parts from part 1, each P bytes (the last may be the upload's short final part). */
  parts: StoredPart[]
  /** Tail k+1 (bytes that will start part k+1), if stored. */
  tail: ListedObject | undefined
  /** Tails another write already replaced (a crash before their delete): ignored, swept on write. */
  staleTails: string[]
  /** The multipart upload is gone and the data object already has `size` bytes (completed). */
  completed: boolean
}

export interface StateKeys {
  dataKey: string
  tailPrefix: string
}

/**
 * Reads the offset from S3 alone, as any instance would: contiguous parts from ListParts (every
 * page) plus the tail that starts the next part. A part of another size, a gap, a part above
 * `trustedParts`, or a tail of an earlier part ends the count there, so a crash anywhere never
 * double-counts a byte and an unverified part never counts.
 */
export async function loadState(bucket: Bucket, info: StoredInfo, keys: StateKeys): Promise<UploadState> {
  const P = info.partSize
  const size = info.size
  if (info.finished || !info.uploadId) {
    return finishedState(info)
  }
  let listed: StoredPart[]
  const tails: ListedObject[] = []
  try {
    ;[listed] = await Promise.all([
      bucket.listParts(keys.dataKey, info.uploadId),
      (async () => {
        for await (const o of bucket.list(keys.tailPrefix)) tails.push(o)
      })(),
    ])
  } catch (err) {
    if (!isNotFound(err)) throw err
    // No such multipart upload (Ceph RGW says NoSuchKey): finished only if the object is whole.
    // A generic "not found" never makes an unfinished upload look complete.
    const length = await bucket.length(keys.dataKey)
    if (size !== undefined && length === size) return { ...finishedState(info), completed: true }
    throw damaged(info.id, 'its multipart upload is gone from the storage')
  }
  const parts: StoredPart[] = []
  // Parts above trustedParts may hold refused or unverified bytes: they never count.
  const trusted = info.trustedParts ?? Number.POSITIVE_INFINITY
  for (const part of listed) {
    const k = parts.length + 1
    if (part.partNumber !== k || k > trusted) break
    const start = (k - 1) * P
    const expected = size === undefined ? P : Math.min(P, size - start)
    if (expected <= 0 || part.size !== expected) break
    parts.push(part)
  }
  const k = parts.length
  const stored = size === undefined ? k * P : Math.min(k * P, size)
  let tail: ListedObject | undefined
  const staleTails: string[] = []
  for (const t of tails) {
    const n = Number(t.key.slice(keys.tailPrefix.length))
    if (n === k + 1 && stored === k * P && t.size < P) tail = t
    else staleTails.push(t.key)
  }
  const times = [info.createdAt, ...parts.map((p) => p.lastModified), tail?.lastModified ?? 0]
  return {
    info,
    offset: stored + (tail?.size ?? 0),
    lastWriteAt: Math.max(...times),
    parts,
    tail,
    staleTails,
    completed: false,
  }
}

function finishedState(info: StoredInfo): UploadState {
  return {
    info,
    offset: info.size ?? 0,
    lastWriteAt: info.createdAt,
    parts: [],
    tail: undefined,
    staleTails: [],
    completed: info.finished,
  }
}
