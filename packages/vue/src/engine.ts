// The slice of the @shuttle/core contract this package relies on, derived from core's own types
// (type-only imports: nothing of core is bundled for them) so that the two cannot drift. The names
// are this package's public ones; `Engine` is only the part of core's Uploader the UI calls, so a
// component test can hand in a fake engine that implements no more than that.
import type {
  BrowserInput,
  FileSnapshot,
  HeadersOption,
  UploadError,
  Uploader,
  UploaderEventName,
  UploaderEvents,
  UploaderOptions,
} from '@shuttle/core'

export type { FileId, FileSnapshot, ProgressPayload } from '@shuttle/core'

/** A file's lifecycle status (core's UploadStatus). */
export type EngineStatus = FileSnapshot['status']

/** What a 'retrying' file waits for: 'backoff', 'network' (offline) or 'rate-limit' (429). */
export type RetryReason = NonNullable<FileSnapshot['waitingFor']>

/** Why a file failed or is retrying (core's UploadError: `message`, `code`, `retryable`). */
export type EngineError = UploadError

export type EngineEvents = UploaderEvents

export type EngineEventName = UploaderEventName

/** What add() takes in a browser: a File, a Blob, or `{ blob, name, type? }`. */
export type EngineInput = BrowserInput

/** Static request headers (the `headers` option may also be a function returning them per request). */
export type HeadersInit = Exclude<HeadersOption, (...args: never[]) => unknown>

/** Options forwarded to core's createUploader. */
export type EngineOptions = UploaderOptions

/** The engine object returned by createUploader, as far as this package uses it. */
export type Engine = Pick<
  Uploader<EngineInput>,
  | 'add'
  | 'start'
  | 'pause'
  | 'resume'
  | 'cancel'
  | 'remove'
  | 'retry'
  | 'pauseAll'
  | 'resumeAll'
  | 'cancelAll'
  | 'move'
  | 'getFiles'
  | 'getFile'
  | 'on'
  | 'destroy'
  | 'restoreSession'
  | 'requestAccess'
>
