import { createHash } from 'node:crypto'
import { createMemoryCheckpointStore } from '../checkpoints/memory-store.js'
import { makeCreateUploader } from '../create-uploader.js'
import { defaultFingerprint } from '../fingerprint.js'
import { createMainThreadHasher } from '../identity/sha256-4m.js'
import type { PlatformDefaults } from '../options.js'
import type { FileReaderPort } from '../ports.js'
import { createBytesSource } from '../sources/bytes-source.js'
import type { FakeTus } from './fake-tus.js'

export interface BytesInput {
  data: Uint8Array
  name: string
}

/** Inputs are { data, name }; the content hash is the name, enough for distinct test files. */
export const bytesReader: FileReaderPort = {
  describe: (input) => {
    const i = input as BytesInput
    return { name: i.name, type: 'application/octet-stream', size: i.data.length }
  },
  open: async (input) => {
    const i = input as BytesInput
    return createBytesSource(i.data, { name: i.name, type: 'application/octet-stream', contentHash: i.name })
  },
}

export function testPlatform(fake: FakeTus): PlatformDefaults {
  return {
    httpClient: () => fake.client,
    fileReader: () => bytesReader,
    checkpointStore: () => createMemoryCheckpointStore(),
    fingerprint: defaultFingerprint,
    digest: async () => new Uint8Array([1, 2, 3]),
    sha256: async () => {
      const hash = createHash('sha256')
      return { update: (b) => void hash.update(b), digest: () => hash.digest() }
    },
    identityHasher: () =>
      createMainThreadHasher(async (algorithm, bytes) => createHash(algorithm).update(bytes).digest()),
    chunkSize: Number.POSITIVE_INFINITY,
  }
}

/**
 * An uploader over the fake server. Checksums and the content identity ('auto': one OPTIONS per
 * endpoint) are off unless a test asks, so the request sequences the engine tests assert stay
 * those of the feature under test; verification has its own tests (verify.test.ts).
 */
export const createTestUploader =
  (fake: FakeTus) => (options: Parameters<ReturnType<typeof makeCreateUploader<BytesInput>>>[0]) =>
    makeCreateUploader<BytesInput>(testPlatform(fake))({ checksum: false, identity: false, ...options })

export const file = (name: string, size = 1000): BytesInput => ({
  name,
  data: Uint8Array.from({ length: size }, (_, i) => (i * 7 + name.length) % 256),
})
