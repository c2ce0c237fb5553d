import type { UploadInfo } from '../types.js'

/**
 * The rule of the `identity` capability's findFinishedByIdentity, for every store: an upload may
 * be shared for a declared identity when the server verified it holds exactly those bytes, it is
 * finished at that length, and it lies in the caller's scope (`owner`; undefined: global).
 */
export function shareableFor(
  upload: UploadInfo,
  identity: string,
  size: number,
  owner: string | undefined,
): boolean {
  return (
    upload.identityVerified === true &&
    upload.identity === identity &&
    upload.size === size &&
    upload.offset === size &&
    (owner === undefined || upload.owner === owner)
  )
}
