import { timingSafeEqual } from 'node:crypto'
import { STATUS_CHECKSUM_MISMATCH, TusError } from '@shuttle/protocol'
import { createChecksumHash, type WriteOptions } from '@shuttle/server'

/** How a checksummed write decides whether its body counts (see PartVerify in part-writer.ts). */
export interface RequestChecksum {
  /** Fed the body's bytes; undefined when the server's running hash already computes this request's. */
  readonly hash: { update(data: Uint8Array): unknown } | undefined
  /** True keeps the body, false drops it (cut off before a header checksum could be checked); throws 460. */
  decide(ended: boolean, received: number): boolean
}

/**
 * The tus checksum of one request, as the file store checks it: `Upload-Checksum` in a header (the
 * digest is known before the body; a body cut off cannot be verified and is dropped whole) or in a
 * trailer (`checksum.digest` is a function called once the body ended; a body cut off before its end
 * is kept like an unchecked one, the whole upload's digest still covers it). The algorithm is one
 * the store lists (sha256-4m too); `checksum.shared`, when the server gives it, is this request's
 * digest computed by the running hash the part writer feeds, so each byte is hashed once.
 */
export function requestChecksum(
  checksum: NonNullable<WriteOptions['checksum']>,
  offset: number,
): RequestChecksum {
  const trailer = typeof checksum.digest === 'function'
  const shared = checksum.shared
  const own = shared ? undefined : createChecksumHash(checksum.algorithm)
  return {
    hash: own,
    decide(ended, received) {
      if (!ended) return trailer
      const expected = trailer
        ? (checksum.digest as () => Uint8Array | undefined)()
        : (checksum.digest as Uint8Array)
      const digest = own ? own.digest() : (shared as { digest(): Uint8Array }).digest()
      if (expected !== undefined && sameDigest(digest, expected)) return true
      throw new TusError(
        'ERR_CHECKSUM_MISMATCH',
        STATUS_CHECKSUM_MISMATCH,
        expected === undefined
          ? `The request announced an Upload-Checksum trailer but sent none; none of its ${received} bytes were kept. Send them again from offset ${offset}.`
          : trailer
            ? `The Upload-Checksum trailer does not match the ${checksum.algorithm} of the ${received} bytes received; none were kept. Send them again from offset ${offset}.`
            : `Upload-Checksum does not match the ${checksum.algorithm} of the ${received} bytes received; none were kept. Send the chunk again from the same offset.`,
      )
    },
  }
}

function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}
