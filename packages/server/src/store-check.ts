import { UploadError } from '@shuttle/protocol'
import type { DataStore, StoreExtension } from './types.js'

// An extension a store lists must come with the method it needs.
const NEEDS: ReadonlyArray<readonly [StoreExtension, keyof DataStore]> = [
  ['creation-defer-length', 'declareLength'],
  ['concatenation', 'concatenate'],
  ['expiration', 'list'],
  ['identity', 'recordIdentity'],
  ['identity', 'findFinishedByIdentity'],
  ['identity', 'shareFrom'],
  ['identity', 'read'],
]

/** Checked once when a server is created, so a store never fails halfway through a request. */
export function checkStore(store: DataStore, expireAfter: number | undefined): void {
  for (const method of ['create', 'getUpload', 'write', 'remove'] as const) {
    if (typeof store[method] !== 'function') {
      throw new UploadError(
        'ERR_INVALID_OPTIONS',
        `The store has no ${method}() method; every store needs it`,
      )
    }
  }
  if (!(store.extensions instanceof Set)) {
    throw new UploadError('ERR_INVALID_OPTIONS', 'The store must list its extensions in a Set')
  }
  for (const [extension, method] of NEEDS) {
    if (store.extensions.has(extension) && typeof store[method] !== 'function') {
      throw new UploadError(
        'ERR_INVALID_OPTIONS',
        `The store lists '${extension}' but has no ${method}() method; implement it or drop the extension`,
      )
    }
  }
  if (expireAfter !== undefined && !store.extensions.has('expiration')) {
    throw new UploadError(
      'ERR_INVALID_OPTIONS',
      "'expireAfter' needs a store that offers 'expiration' (this one does not)",
    )
  }
}
