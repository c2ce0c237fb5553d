import { decodeBase64 } from './base64.js'
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm } from './constants.js'
import { TusError } from './errors.js'

const DIGITS_RE = /^\d{1,16}$/

/**
 * Parses a non-negative integer header (Upload-Offset, Upload-Length). Rejects signs, spaces,
 * decimals, hex and values above 2^53-1 with a 400 that names the header.
 */
export function parseNonNegativeInt(value: string | undefined, header: string): number {
  if (value === undefined) throw new TusError('ERR_INVALID_HEADER', 400, `${header} header is required`)
  if (!DIGITS_RE.test(value)) {
    throw new TusError(
      'ERR_INVALID_HEADER',
      400,
      `${header} must be a non-negative integer, got "${short(value)}"`,
    )
  }
  const n = Number(value)
  if (!Number.isSafeInteger(n)) {
    throw new TusError('ERR_INVALID_HEADER', 400, `${header} ${short(value)} is larger than 2^53-1`)
  }
  return n
}

export interface ParsedChecksum {
  algorithm: string
  /** The raw digest bytes. */
  digest: Uint8Array
}

/** Parses `Upload-Checksum: <algorithm> <base64 digest>`. Unknown algorithms are returned as-is. */
export function parseChecksumHeader(value: string): ParsedChecksum {
  const parts = value.trim().split(' ')
  const [algorithm, encoded] = parts
  if (parts.length !== 2 || !algorithm || !encoded) {
    throw new TusError('ERR_INVALID_HEADER', 400, 'Upload-Checksum must be "<algorithm> <base64 digest>"')
  }
  const digest = decodeBase64(encoded)
  if (!digest || digest.length === 0) {
    throw new TusError('ERR_INVALID_HEADER', 400, 'Upload-Checksum digest is not valid base64')
  }
  return { algorithm: algorithm.toLowerCase(), digest }
}

export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name)
}

export type ParsedConcat = { kind: 'partial' } | { kind: 'final'; urls: string[] }

/** Parses `Upload-Concat: partial` or `Upload-Concat: final;<url> <url> …`. */
export function parseConcatHeader(value: string): ParsedConcat {
  const v = value.trim()
  if (v === 'partial') return { kind: 'partial' }
  if (v.startsWith('final;')) {
    const urls = v.slice('final;'.length).trim().split(/ +/).filter(Boolean)
    if (urls.length === 0)
      throw new TusError('ERR_CONCAT', 400, 'Upload-Concat final lists no partial uploads')
    return { kind: 'final', urls }
  }
  throw new TusError('ERR_INVALID_HEADER', 400, 'Upload-Concat must be "partial" or "final;<url> <url> …"')
}

function short(s: string): string {
  return s.length > 32 ? `${s.slice(0, 32)}…` : s
}
