export { HttpError, TusError } from '@shuttle/protocol'
export { requireUploadToken } from './auth/authenticate.js'
export {
  bearerToken,
  type IssueUploadTokenOptions,
  issueUploadToken,
  UPLOAD_TOKEN_AUDIENCE,
  type UploadToken,
  type UploadTokenLimits,
  verifyUploadToken,
} from './auth/upload-token.js'
export { checkAuthorized } from './authorize.js'
export {
  contentDisposition,
  downloadHeaders,
  INLINE_TYPES,
  safeContentType,
  stripBidi,
} from './content-disposition.js'
export { allowOrigin, corsHeaders } from './cors.js'
export { createChecksumHash, DEFAULT_STORE_CHECKSUMS } from './digest/checksum-hash.js'
export { closeHttpServer } from './http-close.js'
export {
  applyHttpLimits,
  createHttpServer,
  DEFAULT_HTTP_LIMITS,
  type HttpLimits,
  httpServerOptions,
} from './http-limits.js'
export { shareableFor } from './identity/shareable.js'
export { isValidUploadId, newUploadId } from './ids.js'
export { FileLocker, type FileLockerOptions } from './lockers/file-locker.js'
export { MemoryLocker } from './lockers/memory-locker.js'
export {
  createOperations,
  directoryWritable,
  type MetricsSource,
  type OperationsOptions,
  type ReadinessCheck,
} from './operations.js'
export { describeError, type ErrorAnswer } from './reply.js'
export { createTusServer } from './server.js'
export { FileStore, type FileStoreOptions } from './stores/file/file-store.js'
export { RateWindow } from './trust/rate-window.js'
export { typeAllowed } from './trust/token-limits.js'
export type {
  Authorize,
  AuthorizeRequest,
  AuthorizeResult,
  ByteSource,
  CreateHookResult,
  DataStore,
  Lease,
  Lock,
  LockEvent,
  Locker,
  Logger,
  NewUpload,
  NextFunction,
  QuotaOptions,
  RequestRelease,
  RunningHash,
  ServerObserver,
  ServerOptions,
  StoreExtension,
  TusAction,
  TusServer,
  TusServerEvents,
  UploadConcat,
  UploadInfo,
  WriteOptions,
} from './types.js'
