import { createHash } from 'node:crypto'
import type { ChecksumAlgorithm } from '@shuttle/protocol'
import { IdentityHash } from '../identity/block-hash.js'
import type { DataStore } from '../types.js'

/**
 * What a store that does not say (`DataStore.checksumAlgorithms`) verifies: the tus checksum
 * extension's usual algorithms, which node:crypto's createHash knows by name. `sha256-4m` is not
 * among them: a store written before it existed would fail on it, so a store must list it.
 */
export const DEFAULT_STORE_CHECKSUMS: readonly ChecksumAlgorithm[] = ['sha1', 'sha256', 'md5']

/** The Upload-Checksum algorithms this store verifies (Tus-Checksum-Algorithm; empty without `checksum`). */
export function storeChecksums(store: DataStore): readonly ChecksumAlgorithm[] {
  if (!store.extensions.has('checksum')) return []
  return store.checksumAlgorithms ?? DEFAULT_STORE_CHECKSUMS
}

/**
 * A fresh hash for an Upload-Checksum algorithm (sha256-4m: see @shuttle/protocol's constants), for
 * stores that verify request checksums.
 *
 * @example
 * const own = options.checksum.shared ? undefined : createChecksumHash(options.checksum.algorithm)
 */
export function createChecksumHash(algorithm: ChecksumAlgorithm): {
  update(data: Uint8Array): unknown
  digest(): Uint8Array
} {
  return algorithm === 'sha256-4m' ? new IdentityHash() : createHash(algorithm)
}
