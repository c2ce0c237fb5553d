import { createMemoryCheckpointStore } from '../checkpoints/memory-store.js'
import { defaultFingerprint } from '../fingerprint.js'
import { createBrowserIdentityHasher } from '../identity/browser/worker-pool.js'
import type { PlatformDefaults } from '../options.js'
import { createBrowserFileReader } from './blob-source.js'
import { createLocalStorageCheckpointStore } from './local-storage-store.js'
import { createBrowserNetworkMonitor } from './network-monitor.js'
import { createSha256Pool } from './sha256-pool.js'
import { createXhrHttpClient } from './xhr-http-client.js'

/** localStorage when usable (resume after reload out of the box), memory otherwise (SSR, privacy mode). */
function defaultStore() {
  try {
    const storage = globalThis.localStorage
    const probe = '__shuttle_probe__'
    storage.setItem(probe, '1')
    storage.removeItem(probe)
    return createLocalStorageCheckpointStore(storage)
  } catch {
    return createMemoryCheckpointStore()
  }
}

/**
 * Browsers: 8 MiB PATCHes. Proxies and CDNs often cap request bodies, and a pause or a cut then
 * costs at most one chunk even against servers that drop a partial PATCH.
 */
export const browserDefaults: PlatformDefaults = {
  httpClient: () => createXhrHttpClient(),
  fileReader: () => createBrowserFileReader(),
  checkpointStore: defaultStore,
  fingerprint: defaultFingerprint,
  digest: async (algorithm, bytes) =>
    new Uint8Array(
      await globalThis.crypto.subtle.digest(
        algorithm === 'sha1' ? 'SHA-1' : 'SHA-256',
        bytes as Uint8Array<ArrayBuffer>,
      ),
    ),
  // WebCrypto hashes only whole buffers; the file's SHA-256 grows chunk by chunk (WASM, ~ native
  // speed), from hashers reused across files (sha256-pool.ts says why).
  sha256: createSha256Pool(),
  // Web Workers (navigator.hardwareConcurrency, at most 4), WebCrypto per 512 KiB leaf.
  identityHasher: () => createBrowserIdentityHasher(),
  chunkSize: 8 * 1024 * 1024,
  rememberFinished: true,
  // Only where there is a window to listen to (not in SSR or a worker without one).
  network: () =>
    typeof globalThis.addEventListener === 'function' && typeof globalThis.fetch === 'function'
      ? createBrowserNetworkMonitor()
      : undefined,
}
