import { decodeBase64, encodeBase64 } from './base64.js'

/**
 * Content identity and instant upload (tus extension `instant-upload`, Shuttle's own). The identity
 * `sha256-4m` is the SHA-256 of the concatenated digests of the file's consecutive 4 MiB blocks
 * (Dropbox's content hash), so it can be computed in parallel; 32 bytes. A block's digest is the
 * SHA-256 of the concatenated SHA-256 digests of its consecutive 512 KiB leaves (the last block and
 * leaf shorter); a 0-byte file's identity is the SHA-256 of nothing.
 *
 * Why leaves: Chromium's WebCrypto digest() costs 0.52 CPU-s/GiB on 512 KiB inputs and 0.9 on
 * 1 MiB and larger ones (each call copies its input; the copy's cost is the likely difference), so a
 * browser hashes a 4 MiB block as eight 512 KiB calls: reading and hashing 1 GiB in 2 or 4 workers
 * on two cores went from 0.8–1.1 to 1.4–1.7 GiB/s (bench/hash-probe.mjs). node:crypto hashes
 * the same bytes at the same speed either way and pays only the few extra 32-byte digests.
 */
export const IDENTITY_ALGORITHM = 'sha256-4m'
export const IDENTITY_BLOCK_SIZE = 4 * 1024 * 1024
/** A block's leaves: IDENTITY_BLOCK_SIZE is a whole number of them. */
export const IDENTITY_LEAF_SIZE = 512 * 1024
/** Most bytes a challenge asks for in total (the whole file when it is this small). */
export const CHALLENGE_MAX_BYTES = 1024 * 1024

/** An inclusive byte range as the challenge writes it (`a-b`). */
export interface ByteRange {
  readonly start: number
  /** Inclusive. */
  readonly end: number
}

export interface Challenge {
  readonly nonce: Uint8Array
  readonly ranges: readonly ByteRange[]
}

/** `sha256-4m=:<base64>:` (an RFC 8941 dictionary member holding a byte sequence). */
export function formatIdentity(identity: Uint8Array): string {
  return `${IDENTITY_ALGORITHM}=:${encodeBase64(identity)}:`
}

/**
 * Reads `Upload-Identity`: the 32-byte sha256-4m identity, or a sentence saying what is wrong. Other
 * members of the dictionary (future algorithms) are ignored; sha256-4m must be among them.
 */
export function parseIdentity(value: string): Uint8Array | string {
  const bytes = dictionaryBytes(value, IDENTITY_ALGORITHM)
  if (bytes === undefined) {
    return `Upload-Identity must be ${IDENTITY_ALGORITHM}=:<base64 of 32 bytes>: (got "${value.slice(0, 80)}")`
  }
  if (bytes.length !== 32) {
    return `Upload-Identity ${IDENTITY_ALGORITHM} must be 32 bytes, got ${bytes.length}`
  }
  return bytes
}

/** `Upload-Proof: sha-256=:<base64>:`; undefined when malformed. */
export function parseProof(value: string): Uint8Array | undefined {
  const bytes = dictionaryBytes(value, 'sha-256')
  return bytes?.length === 32 ? bytes : undefined
}

export function formatProof(proof: Uint8Array): string {
  return `sha-256=:${encodeBase64(proof)}:`
}

export function formatChallenge(challenge: Challenge): string {
  const ranges = challenge.ranges.map((r) => `${r.start}-${r.end}`).join(',')
  return `nonce=:${encodeBase64(challenge.nonce)}:, ranges="${ranges}"`
}

/**
 * Reads `Upload-Challenge` against the upload's length: undefined when malformed or asking for
 * bytes outside the file (a client then just uploads).
 */
export function parseChallenge(value: string, size: number): Challenge | undefined {
  const nonce = dictionaryBytes(value, 'nonce')
  const rangesText = /(?:^|,)\s*ranges="([0-9,-]*)"\s*(?:,|$)/.exec(value)?.[1]
  if (nonce === undefined || nonce.length < 16 || rangesText === undefined) return undefined
  const ranges: ByteRange[] = []
  let total = 0
  for (const part of rangesText.split(',')) {
    const m = /^(\d{1,15})-(\d{1,15})$/.exec(part)
    if (!m) return undefined
    const start = Number(m[1])
    const end = Number(m[2])
    if (end < start || end >= size) return undefined
    total += end - start + 1
    ranges.push({ start, end })
  }
  // A challenge asking for more than the contract allows is not one this client answers.
  if (ranges.length === 0 || ranges.length > 64 || total > CHALLENGE_MAX_BYTES) return undefined
  return { nonce, ranges }
}

/** The byte-sequence value of `key` in an RFC 8941 dictionary (only what these headers need). */
function dictionaryBytes(value: string, key: string): Uint8Array | undefined {
  for (const member of value.split(',')) {
    const m = /^\s*([a-z][a-z0-9_.*-]*)=:([A-Za-z0-9+/=]*):\s*$/.exec(member)
    if (m && m[1] === key) return decodeBase64(m[2] as string)
  }
  return undefined
}
