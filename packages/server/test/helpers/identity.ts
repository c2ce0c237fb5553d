import { createHash } from 'node:crypto'
import { parseChallenge } from '@shuttle/protocol'

const BLOCK = 4 * 1024 * 1024
const LEAF = 512 * 1024
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest()

/** SHA-256 over the digests of `bytes`' consecutive parts of `size` bytes. */
function overParts(bytes: Uint8Array, size: number, digest: (part: Uint8Array) => Buffer): Buffer {
  const parts: Buffer[] = []
  for (let at = 0; at < bytes.length; at += size) parts.push(digest(bytes.subarray(at, at + size)))
  return sha(Buffer.concat(parts))
}

/** A 4 MiB block's digest as sha256-4m defines it: SHA-256 over its 512 KiB leaves' SHA-256s. */
export const blockDigestOf = (block: Uint8Array): Buffer => overParts(block, LEAF, sha)

/**
 * sha256-4m written out independently of the server's code: SHA-256 over each 4 MiB block's
 * digest (blockDigestOf).
 */
export function identityOf(bytes: Uint8Array): Buffer {
  return overParts(bytes, BLOCK, blockDigestOf)
}

export const identityHeader = (bytes: Uint8Array) => `sha256-4m=:${identityOf(bytes).toString('base64')}:`

/** The proof a client holding `bytes` gives for the challenge header. */
export function proofFor(challengeHeader: string, bytes: Uint8Array): string {
  const c = parseChallenge(challengeHeader, bytes.length)
  if (!c) throw new Error(`unusable challenge: ${challengeHeader}`)
  const hash = createHash('sha256').update(c.nonce)
  for (const r of c.ranges) hash.update(bytes.subarray(r.start, r.end + 1))
  return `sha-256=:${hash.digest('base64')}:`
}
