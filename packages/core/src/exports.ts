// Everything both entries export; browser/index.ts and node/index.ts add only their adapters.
export type { ChecksumAlgorithm, UploadErrorCode } from '@shuttle/protocol'
export { HttpStatusError, isUploadError, NetworkError, UploadError } from '@shuttle/protocol'
export { parseCheckpoint } from './checkpoints/checkpoint.js'
export { createMemoryCheckpointStore } from './checkpoints/memory-store.js'
export type { Uploader } from './create-uploader.js'
export { makeCreateUploader } from './create-uploader.js'
export type { Emitter, Listener } from './emitter.js'
export type { RestoredFile } from './engine/restore.js'
export { defaultFingerprint } from './fingerprint.js'
export type { IdentityHasher, IdentityJob } from './identity/sha256-4m.js'
export {
  createMainThreadHasher,
  formatIdentity,
  IDENTITY_ALGORITHM,
  IDENTITY_BLOCK_SIZE,
} from './identity/sha256-4m.js'
export type { RetryReason, UploadEvent, UploadState, UploadStatus } from './machine.js'
export {
  ACTIVE_STATUSES,
  canTransition,
  isActive,
  isRunning,
  isTerminal,
  offsetOf,
  RUNNING_STATUSES,
  TERMINAL_STATUSES,
  TRANSITIONS,
  transition,
  urlOf,
} from './machine.js'
export type { HeadersOption, NormalizedOptions, PlatformDefaults, UploaderOptions } from './options.js'
export type { AbortSignalLike, Clock } from './platform.js'
export type {
  Checkpoint,
  CheckpointStore,
  DigestFn,
  FileKeeper,
  FileReaderPort,
  FileSource,
  Fingerprint,
  HttpClient,
  HttpRequest,
  HttpResponse,
  KeptFile,
  NetworkMonitor,
  PositionalReader,
  RequestBody,
  SourceInfo,
} from './ports.js'
export type { TotalsItem, UploadTotals } from './totals.js'
export { computeTotals } from './totals.js'
export { createFormTransport } from './transports/form/form-transport.js'
export { expectSuccess, isSuccess, statusError } from './transports/http.js'
export { choosePartSize, planParts } from './transports/s3/part-planner.js'
export type {
  S3DirectSigningOptions,
  S3Options,
  S3ServerSigningOptions,
  S3TemporaryCredentials,
} from './transports/s3/s3-options.js'
export type { S3CheckpointPart, S3CheckpointState } from './transports/s3/s3-state.js'
export { createS3Transport } from './transports/s3/s3-transport.js'
export type {
  TerminateContext,
  Transport,
  TransportContext,
  TransportFactory,
  TransportRequest,
  TransportResult,
} from './transports/transport.js'
export type { TusCheckpointPart, TusCheckpointState } from './transports/tus/tus-state.js'
export { createTusTransport } from './transports/tus/tus-transport.js'
export type {
  FileId,
  FileSnapshot,
  HashingProgress,
  ProgressPayload,
  UploaderEventName,
  UploaderEvents,
} from './types.js'
export { VERSION } from './version.js'
