import { makeCreateUploader } from '../create-uploader.js'
import type { BrowserInput } from './blob-source.js'
import { browserDefaults } from './defaults.js'

export * from '../exports.js'
export type { BrowserIdentityOptions } from '../identity/browser/worker-pool.js'
export { createBrowserIdentityHasher } from '../identity/browser/worker-pool.js'
export { createIndexedDbCheckpointStore } from './indexed-db-store.js'
export { createLocalStorageCheckpointStore } from './local-storage-store.js'
export { createBrowserNetworkMonitor } from './network-monitor.js'
export { createXhrHttpClient } from './xhr-http-client.js'
export type { BrowserInput }
export const createUploader = makeCreateUploader<BrowserInput>(browserDefaults)
export {
  attachFileHandle,
  canPickFileHandles,
  fileHandleOf,
  pickFilesWithHandles,
} from './file-handles.js'
export {
  type BrowserFileKeeperOptions,
  createBrowserFileKeeper,
  DEFAULT_SMALL_FILE_LIMIT,
} from './file-keeper.js'
