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

export type UploadFiles = UploadFile[]

/**
 * Events, by name and arguments. el-upload declares its hooks as props (`onSuccess: Function`), so
 * every spelling users write reaches them: `:on-success`, `:onSuccess`, `@success`, `v-on:success`.
 * <ShuttleUpload> does the same: each event below is the prop `on<Event>` (see UploadHooks).
 */
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

/**
 * The hook props, written out (Vue's SFC compiler reads these names to declare runtime props).
 * el-upload's seven first, then Shuttle's pause / resume / retry / cancel.
 */
export interface UploadHooks {
  onChange?: (...args: UploadEmits['change']) => unknown
  onProgress?: (...args: UploadEmits['progress']) => unknown
  onSuccess?: (...args: UploadEmits['success']) => unknown
  onError?: (...args: UploadEmits['error']) => unknown
  onRemove?: (...args: UploadEmits['remove']) => unknown
  onPreview?: (...args: UploadEmits['preview']) => unknown
  onExceed?: (...args: UploadEmits['exceed']) => unknown
  onPause?: (...args: UploadEmits['pause']) => unknown
  onResume?: (...args: UploadEmits['resume']) => unknown
  onRetry?: (...args: UploadEmits['retry']) => unknown
  onCancel?: (...args: UploadEmits['cancel']) => unknown
}

/** Props of <ShuttleUpload>: el-upload's, same names and meaning, then Shuttle's own. */
export interface UploadProps extends UploadHooks {
  /**
   * el-upload: the URL files are sent to as multipart/form-data (one XHR per file, `method`,
   * `headers`, `data` with Blob values, like el-upload's ajax; not resumable).
   */
  action?: string
  /** el-upload: request headers; sent on every request (read fresh each time). */
  headers?: Headers | Record<string, string>
  /** el-upload: HTTP method of form uploads and of `http-request`. Default 'post'. */
  method?: string
  /**
   * el-upload: extra form fields (form) or Upload-Metadata entries (tus, strings only). An object is
   * copied per file when before-upload returns, so a hook that edits it for one file does not leak
   * into the next; may also be a Promise or a function of the file (returning a Promise). A rejection
   * removes the file.
   */
  data?: UploadData
  /** el-upload: form field name of the file. Default 'file'. */
  name?: string
  withCredentials?: boolean
  multiple?: boolean
  /** Filters picked, dropped and pasted files alike: `.png`, `image/*`, `application/pdf`. */
  accept?: string
  /**
   * Maximum number of files in the list, counted before `multiple` keeps only the first picked file
   * (as el-upload); more call on-exceed and add nothing. 0 or unset: no limit.
   */
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
  /** Unset: follows an enclosing `<el-form disabled>`, like el-upload. */
  disabled?: boolean
  /** Default true. */
  showFileList?: boolean
  /** el-upload: the `crossorigin` attribute of thumbnails. */
  crossorigin?: '' | 'anonymous' | 'use-credentials'
  /** Size of Shuttle's own controls; unset: an enclosing `<el-form size>` or 'default'. */
  size?: 'large' | 'default' | 'small'
  /**
   * Default true: picked, dropped and pasted files are all checked against `accept` (element-plus
   * #19880, #5489: dropping lets any type through). false: only the file dialog filters, and dropped
   * files are taken as they come, as el-upload does since element-plus #15861.
   */
  strictAccept?: boolean
  /**
   * Default true: a failed file stays in the list with its error and a retry button.
   * false: it is removed from the list as el-upload does (after on-error).
   */
  keepFailed?: boolean

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
  /**
   * The engine's content identity (`sha256-4m`, hashed in Web Workers while the row says
   * "Hashing 42 %"): it lets a server that already holds the file finish it with nothing sent
   * (instant upload) and finds an unfinished upload of the same bytes picked again under another
   * name. 'auto': only against servers that offer instant upload; true: always; false: never.
   * Unset: core's default ('auto'). A bare `identity` attribute in a template means true.
   */
  identity?: boolean | 'auto'
  /** Files uploaded at once. Default 3. */
  maxConcurrentUploads?: number
  retryDelays?: number[]
  /** Where resume points are kept (core's localStorage / IndexedDB / memory stores). */
  checkpointStore?: EngineOptions['checkpointStore']
  /**
   * Resume after a reload or a browser restart without picking files again: on mount the list
   * comes back from the engine's `restoreSession()`. Files whose bytes were kept continue by
   * themselves; kept handles get a "Resume (allow access)" button (one permission prompt); the rest
   * are rows one pick of the same files resumes. With it, a click opens the File System Access
   * picker where the browser has one (Chromium) and drops keep their handles, so those files come
   * back as handles. The engine the component creates gets `fileKeeper` (default
   * createBrowserFileKeeper()); give your own `uploader` a fileKeeper yourself.
   */
  restore?: boolean
  /** The engine's file keeper (see `restore`); default createBrowserFileKeeper() when `restore` is on. */
  fileKeeper?: EngineOptions['fileKeeper']
  /** Drive an existing engine instead of creating one. */
  uploader?: Engine
  /** Pick folders instead of files in the dialog (folders can always be dropped). */
  directory?: boolean
  /** Accept pasted files: true = while focus is inside the component, 'document' = anywhere. Default true. */
  paste?: boolean | 'document'
  /** Show per-file pause / resume / retry / cancel buttons. Default true. */
  controls?: boolean
  /** Colours: 'auto' (default) follows the OS (prefers-color-scheme); 'light' or 'dark' fixes them. */
  theme?: 'auto' | 'light' | 'dark'
  /** Show the total progress bar with pause-all / resume-all. */
  showTotal?: boolean
  /** 'en' (default), 'zh-CN', or a full message table. */
  locale?: LocaleOption
  /** Overrides for single messages. */
  messages?: Partial<LocaleMessages>
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
  /** Retries every failed file. */
  retryAll(): void
  /** Opens the file dialog. */
  open(): void
}

export type { UploadUserFile }
