import { makeCreateUploader } from '../create-uploader.js'
import { nodeDefaults } from './defaults.js'
import type { NodeInput } from './node-file-reader.js'

export * from '../exports.js'
export type { NodeIdentityOptions } from '../identity/node/node-hasher.js'
export { createNodeIdentityHasher } from '../identity/node/node-hasher.js'
export { createFileCheckpointStore } from './file-checkpoint-store.js'
export { createNodeHttpClient } from './node-http-client.js'
export type { NodeInput }
export const createUploader = makeCreateUploader<NodeInput>(nodeDefaults)
