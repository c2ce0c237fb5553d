import { createHash } from 'node:crypto'
import { createMemoryCheckpointStore } from '../checkpoints/memory-store.js'
import { defaultFingerprint } from '../fingerprint.js'
import { createNodeIdentityHasher } from '../identity/node/node-hasher.js'
import type { PlatformDefaults } from '../options.js'
import { createNodeFileReader } from './node-file-reader.js'
import { createNodeHttpClient } from './node-http-client.js'

/**
 * Node: one streamed PATCH per file (chunkSize Infinity) since node:http streams bodies with
 * backpressure; checkpoints in memory unless createFileCheckpointStore(dir) is passed.
 */
export const nodeDefaults: PlatformDefaults = {
  httpClient: () => createNodeHttpClient(),
  fileReader: () => createNodeFileReader(),
  checkpointStore: () => createMemoryCheckpointStore(),
  fingerprint: defaultFingerprint,
  digest: async (algorithm, bytes) => createHash(algorithm).update(bytes).digest(),
  sha256: async () => {
    const hash = createHash('sha256')
    return {
      update: (bytes) => void hash.update(bytes),
      digest: () => hash.digest(),
    }
  },
  // Worker threads for files of 128 MiB or more, the main thread below (core README, Content identity).
  identityHasher: () => createNodeIdentityHasher(),
  chunkSize: Number.POSITIVE_INFINITY,
}
