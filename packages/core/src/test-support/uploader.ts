import { createMemoryCheckpointStore } from '../checkpoints/memory-store.js'
import { makeCreateUploader } from '../create-uploader.js'
import { defaultFingerprint } from '../fingerprint.js'
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
    chunkSize: Number.POSITIVE_INFINITY,
  }
}

export const createTestUploader = (fake: FakeTus) => makeCreateUploader<BytesInput>(testPlatform(fake))

export const file = (name: string, size = 1000): BytesInput => ({
  name,
  data: Uint8Array.from({ length: size }, (_, i) => (i * 7 + name.length) % 256),
})
