import type { Engine, EngineOptions } from '../engine.js'
import type { LocaleMessages, LocaleOption } from '../locale/index.js'
import type {
  Awaitable,
  BeforeUploadResult,
  ListType,
  UploadData,
  UploadFile,
  UploadProgressEvent,
  UploadRawFile,
  UploadRequestHandler,
  UploadUserFile,
} from '../types.js'

/** Props of <ShuttleUpload>: el-upload's, same names and meaning, then Shuttle's own. */
export interface UploadProps {
  /** el-upload: the URL files are POSTed to (form protocol, not resumable). */
  action?: string
  /** el-upload: request headers; sent on every request (read fresh each time). */
  headers?: Headers | Record<string, string>
  /** el-upload: HTTP method of form uploads and of `http-request`. Default 'post'. */
  method?: string
  /** el-upload: extra form fields (form) or Upload-Metadata entries (tus); may be a function of the file. */
  data?: UploadData
  /** el-upload: form field name of the file. Default 'file'. */
  name?: string
  withCredentials?: boolean
  multiple?: boolean
  /** Filters picked, dropped and pasted files alike: `.png`, `image/*`, `application/pdf`. */
  accept?: string
  /** Maximum number of files in the list; more emit `exceed` and add nothing. */
  limit?: number
  /** Default true. false: files wait as 'ready' until submit(). */
  autoUpload?: boolean
  /** false or a rejection drops the file; a resolved File/Blob replaces it. */
  beforeUpload?: (rawFile: UploadRawFile) => Awaitable<BeforeUploadResult>
  /** false or a rejection keeps the file. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a hook that returns nothing allows the removal
  beforeRemove?: (file: UploadFile, fileList: UploadFile[]) => Awaitable<boolean | void | undefined>
  /** Replaces the transport for every file, like el-upload (no pause/resume for those files). */
  httpRequest?: UploadRequestHandler
  listType?: ListType
  /** Show a drop zone as the trigger. */
  drag?: boolean
  disabled?: boolean
  /** Default true. */
  showFileList?: boolean

  /** tus endpoint (creation URL). Setting it selects the tus protocol. */
  endpoint?: string
  /**
   * Default 'tus' when `endpoint` is set, else 'form' (el-upload's behaviour with `action`).
   * 's3': parts go straight to S3, signed by the server at `endpoint` (Companion-style routes).
   */
  protocol?: 'tus' | 'form' | 's3'
  /** protocol 's3': the engine's `s3` options (part size, or client-side signing with getCredentials). */
  s3?: EngineOptions['s3']
  /** Bytes per PATCH request (tus). */
  chunkSize?: number
  /**
   * tus creation-with-upload: the most bytes a fresh upload sends in its creation POST when the
   * server lists the extension (the POST carries min(size, this, chunkSize)). 0 disables it.
   * Unset: core's default (4 MiB).
   */
  creationWithUpload?: number
  /** Parts of one file sent at once (tus concatenation). */
  parallelUploads?: number
  /** Files uploaded at once. Default 3. */
  maxConcurrentUploads?: number
  retryDelays?: number[]
  /** Where resume points are kept (core's localStorage / IndexedDB / memory stores). */
  checkpointStore?: EngineOptions['checkpointStore']
  /** Drive an existing engine instead of creating one. */
  uploader?: Engine
  /** Pick folders instead of files in the dialog (folders can always be dropped). */
  directory?: boolean
  /** Accept pasted files: true = while focus is inside the component, 'document' = anywhere. Default true. */
  paste?: boolean | 'document'
  /** Show per-file pause / resume / retry / cancel buttons. Default true. */
  controls?: boolean
  /** Show the total progress bar with pause-all / resume-all. */
  showTotal?: boolean
  /** 'en' (default), 'zh-CN', or a full message table. */
  locale?: LocaleOption
  /** Overrides for single messages. */
  messages?: Partial<LocaleMessages>
}

export type UploadFiles = UploadFile[]

/** Events; `:on-change="fn"` (el-upload style) and `@change="fn"` both reach them. */
export interface UploadEmits {
  change: [file: UploadFile, fileList: UploadFiles]
  progress: [evt: UploadProgressEvent, file: UploadFile, fileList: UploadFiles]
  success: [response: unknown, file: UploadFile, fileList: UploadFiles]
  error: [error: Error, file: UploadFile, fileList: UploadFiles]
  remove: [file: UploadFile, fileList: UploadFiles]
  preview: [file: UploadFile]
  exceed: [files: File[], fileList: UploadFiles]
  pause: [file: UploadFile]
  resume: [file: UploadFile]
  retry: [file: UploadFile]
  cancel: [file: UploadFile]
}

/** Methods exposed through a template ref, el-upload's first. */
export interface UploadInstance {
  submit(): void
  clearFiles(statuses?: UploadFile['status'][]): void
  abort(file?: UploadFile | File): void
  handleStart(rawFile: File): void
  handleRemove(file: UploadFile | File): Promise<void>
  pause(file: UploadFile): void
  resume(file: UploadFile): void
  retry(file: UploadFile): void
  cancel(file: UploadFile): Promise<void>
  pauseAll(): void
  resumeAll(): void
  /** Opens the file dialog. */
  open(): void
}

export type { UploadUserFile }
