// Everything both entries export; browser/index.ts and node/index.ts add only their adapters.
export type { ChecksumAlgorithm, UploadErrorCode } from '@shuttle/protocol'
export { HttpStatusError, isUploadError, NetworkError, UploadError } from '@shuttle/protocol'
export { createMemoryCheckpointStore } from './checkpoints/memory-store.js'
export type { Uploader } from './create-uploader.js'
export { makeCreateUploader } from './create-uploader.js'
export type { Emitter, Listener } from './emitter.js'
export { defaultFingerprint } from './fingerprint.js'
export type { UploadEvent, UploadState, UploadStatus } from './machine.js'
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
export type { HeadersOption, PlatformDefaults, UploaderOptions } from './options.js'
export type { AbortSignalLike, Clock } from './platform.js'
export type {
  Checkpoint,
  CheckpointPart,
  CheckpointStore,
  DigestFn,
  FileReaderPort,
  FileSource,
  Fingerprint,
  HttpClient,
  HttpRequest,
  HttpResponse,
  RequestBody,
  S3Checkpoint,
  S3CheckpointPart,
  SourceInfo,
} from './ports.js'
export type { TotalsItem, UploadTotals } from './totals.js'
export { computeTotals } from './totals.js'
export { choosePartSize, planParts } from './transports/s3/part-planner.js'
export type {
  S3DirectSigningOptions,
  S3Options,
  S3ServerSigningOptions,
  S3TemporaryCredentials,
} from './transports/s3/s3-options.js'
export type { FileId, FileSnapshot, ProgressPayload, UploaderEventName, UploaderEvents } from './types.js'
export { VERSION } from './version.js'
