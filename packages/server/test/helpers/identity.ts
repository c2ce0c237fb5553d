import { createHash } from 'node:crypto'
import { parseChallenge } from '@shuttle/protocol'

const BLOCK = 4 * 1024 * 1024
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest()

/** sha256-4m written out independently of the server's code: SHA-256 over each 4 MiB block's SHA-256. */
export function identityOf(bytes: Uint8Array): Buffer {
  const blocks: Buffer[] = []
  for (let at = 0; at < bytes.length; at += BLOCK) blocks.push(sha(bytes.subarray(at, at + BLOCK)))
  return sha(Buffer.concat(blocks))
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
