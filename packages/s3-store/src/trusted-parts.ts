import type { StoredInfo } from './info-object.js'
import type { PartVerify } from './part-writer.js'
import type { RequestChecksum } from './request-checksum.js'

/** What one write does with the upload's `trustedParts` (see StoredInfo). */
export interface TrustedParts {
  readonly verify: PartVerify | undefined
  readonly commit: ((parts: number) => Promise<void>) | undefined
  /** The info as the write left it (finishing reads the parts it trusts). */
  info(): StoredInfo
}

/**
 * S3 keeps every part a write uploads and cannot delete one, so a checksummed write hides its parts
 * until its body is verified: before its first UploadPart, `trustedParts` is lowered to the parts
 * before it (one info PUT, only when it is not there already); once the body is kept, it is raised
 * to the parts the write stored (one info PUT). Refused, nothing moves: the parts it sent lie above
 * `trustedParts`, never counted, and the write that sends the bytes again replaces them. The limit
 * stays after that (no PUT for the next checksummed write, which starts where it points), so a
 * write without a checksum on such an upload raises it too, or its parts would never count.
 */
export function trustedParts(
  info: StoredInfo,
  firstPart: number,
  check: RequestChecksum | undefined,
  save: (info: StoredInfo) => Promise<void>,
): TrustedParts {
  let current = info
  const trust = async (parts: number) => {
    current = { ...current, trustedParts: parts }
    await save(current)
  }
  return {
    verify: check && {
      hash: check.hash,
      decide: check.decide,
      guard: async () => {
        if (current.trustedParts !== firstPart - 1) await trust(firstPart - 1)
      },
    },
    commit:
      info.trustedParts === undefined && check === undefined
        ? undefined
        : async (parts) => {
            // Never limited (no part of this checksummed write was sent): every part counts.
            if (current.trustedParts === undefined) return
            // Parts above this write's that counted before it still do.
            const next = Math.max(info.trustedParts ?? 0, parts)
            if (next !== current.trustedParts) await trust(next)
          },
    info: () => current,
  }
}
