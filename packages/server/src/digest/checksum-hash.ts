import { createHash } from 'node:crypto'
import type { ChecksumAlgorithm } from '@shuttle/protocol'
import { IdentityHash } from '../identity/block-hash.js'

/** A fresh hash for an Upload-Checksum algorithm (sha256-4m: see @shuttle/protocol's constants). */
export function createChecksumHash(algorithm: ChecksumAlgorithm): {
  update(data: Uint8Array): unknown
  digest(): Uint8Array
} {
  return algorithm === 'sha256-4m' ? new IdentityHash() : createHash(algorithm)
}
