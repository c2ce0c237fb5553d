import { decodeBase64Utf8, encodeBase64Utf8 } from './base64.js'
import { TusError } from './errors.js'

export type UploadMetadata = Record<string, string>

export interface MetadataLimits {
  /** Longest accepted header, in characters. Default 8 KiB. */
  maxSize?: number
  /** Most key-value pairs. Default 64. */
  maxPairs?: number
}

export const DEFAULT_METADATA_LIMITS: Required<MetadataLimits> = { maxSize: 8192, maxPairs: 64 }

// Keys: non-empty, no spaces or commas (tus 1.0); we also refuse control characters.
const KEY_RE = /^[^\s,\x00-\x1f\x7f]+$/

const bad = (message: string) => new TusError('ERR_METADATA', 400, `Invalid Upload-Metadata: ${message}`)

/**
 * Parses an `Upload-Metadata` header into decoded UTF-8 strings. Throws `TusError(ERR_METADATA, 400)`
 * with a message naming the problem: bad base64, duplicate or malformed keys, over the limits.
 *
 * @example
 * parseMetadata('filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential') // { filename: '…', is_confidential: '' }
 */
export function parseMetadata(header: string | undefined, limits: MetadataLimits = {}): UploadMetadata {
  // `??`, not spread: a caller passing `{ maxSize: undefined }` must get the default, not no limit.
  const maxSize = limits.maxSize ?? DEFAULT_METADATA_LIMITS.maxSize
  const maxPairs = limits.maxPairs ?? DEFAULT_METADATA_LIMITS.maxPairs
  const out: UploadMetadata = Object.create(null)
  if (header === undefined || header.trim() === '') return out
  if (header.length > maxSize) {
    throw new TusError(
      'ERR_METADATA',
      400,
      `Upload-Metadata is ${header.length} characters; the limit is ${maxSize}`,
    )
  }
  const pairs = header.split(',')
  if (pairs.length > maxPairs) throw bad(`${pairs.length} pairs; the limit is ${maxPairs}`)
  for (const raw of pairs) {
    const pair = raw.trim()
    const parts = pair.split(' ')
    if (parts.length > 2) throw bad(`pair "${truncate(pair)}" has more than one space`)
    const [key = '', value] = parts
    if (!KEY_RE.test(key)) throw bad(`key "${truncate(key)}" is empty or has forbidden characters`)
    if (Object.hasOwn(out, key)) throw bad(`key "${truncate(key)}" appears twice`)
    if (value === undefined || value === '') {
      out[key] = ''
      continue
    }
    const decoded = decodeBase64Utf8(value)
    if (decoded === undefined) throw bad(`value of "${truncate(key)}" is not valid base64`)
    out[key] = decoded
  }
  return out
}

/** Encodes metadata for the `Upload-Metadata` header (values UTF-8, base64). */
export function encodeMetadata(metadata: Readonly<Record<string, string | undefined>>): string {
  const pairs: string[] = []
  for (const [key, value] of Object.entries(metadata)) {
    if (value === undefined) continue
    if (!KEY_RE.test(key))
      throw new TusError('ERR_METADATA', 400, `Metadata key "${truncate(key)}" is not allowed`)
    pairs.push(value === '' ? key : `${key} ${encodeBase64Utf8(value)}`)
  }
  return pairs.join(',')
}

function truncate(s: string): string {
  const printable = s.replace(/[\x00-\x1f\x7f]/g, '?')
  return printable.length > 40 ? `${printable.slice(0, 40)}…` : printable
}
