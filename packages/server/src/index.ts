export { TusError } from '@shuttle/protocol'
export { contentDisposition, safeContentType } from './content-disposition.js'
export { allowOrigin, corsHeaders } from './cors.js'
export { isValidUploadId, newUploadId } from './ids.js'
export { MemoryLocker } from './lockers/memory-locker.js'
export { createTusServer } from './server.js'
export { FileStore, type FileStoreOptions } from './stores/file/file-store.js'
export type {
  CreateHookResult,
  DataStore,
  Lock,
  Locker,
  Logger,
  NewUpload,
  NextFunction,
  RequestRelease,
  ServerOptions,
  StoreExtension,
  TusServer,
  TusServerEvents,
  UploadConcat,
  UploadInfo,
  WriteOptions,
} from './types.js'
