import type { EngineError, EngineStatus, FileId, RetryReason } from './engine.js'

/** el-upload's four statuses, kept so code written for el-upload keeps working. */
export type UploadStatus = 'ready' | 'uploading' | 'success' | 'fail'

/** A picked file, tagged with the uid that ties it to its list entry (as in el-upload). */
export type UploadRawFile = File & { uid: number }

/** One entry of `file-list`. el-upload's fields plus Shuttle's; replaced, never mutated, on change. */
export interface UploadFile {
  uid: number
  name: string
  size?: number
  /** el-upload status: ready / uploading (also queued, paused, retrying) / success / fail (also canceled). */
  status: UploadStatus
  /** The precise engine state behind `status`. */
  phase: EngineStatus
  /** 0–100. */
  percentage: number
  raw?: UploadRawFile
  /** Thumbnail or preview URL (an object URL for picked images in picture list types), as in el-upload. */
  url?: string
  /** Where the bytes live on the server (tus upload URL) once created. */
  uploadUrl?: string
  response?: unknown
  error?: EngineError | Error
  /** Bytes per second while uploading. */
  speed?: number
  /** Seconds left, or null when unknown. */
  eta?: number | null
  bytesConfirmed?: number
  /** While 'retrying': what the file waits for ('network': offline; 'rate-limit': the server's 429). */
  waitingFor?: RetryReason
  /** Completed without sending a byte: the same file was already on the server. */
  alreadyUploaded?: boolean
  /** While 'preparing': the content identity being hashed, bytes of total (see core's `identity`). */
  hashing?: { readonly bytes: number; readonly total: number }
  /** Engine id when the upload runs through @shuttle/core (not for http-request uploads). */
  id?: FileId
}

/** What a caller may put in `file-list`: already uploaded files need only a name and a url. */
export type UploadUserFile = Omit<UploadFile, 'uid' | 'status' | 'phase' | 'percentage'> &
  Partial<Pick<UploadFile, 'uid' | 'status' | 'phase' | 'percentage'>>

export type ListType = 'text' | 'picture' | 'picture-card'

/** The event passed to on-progress; `percent` is el-upload's field. */
export interface UploadProgressEvent {
  percent: number
  loaded: number
  total: number
  speed?: number
  eta?: number | null
}

/** Options handed to a custom `http-request`, exactly el-upload's shape. */
export interface UploadRequestOptions {
  action: string
  method: string
  data: Record<string, string | string[] | Blob | [string | Blob, string]>
  filename: string
  file: UploadRawFile
  headers: Headers | Record<string, string | number | null | undefined>
  withCredentials: boolean
  /** The event is optional (el-upload's custom requests often call `onProgress()` bare). */
  onProgress: (evt?: Pick<UploadProgressEvent, 'percent'> & Partial<UploadProgressEvent>) => void
  onSuccess: (response: unknown) => void
  onError: (error: Error) => void
}

/** What `http-request` may return: an XHR, anything with abort(), a promise, or nothing. */
export type UploadRequestHandler = (
  options: UploadRequestOptions,
  // biome-ignore lint/suspicious/noConfusingVoidType: a custom request may return nothing (el-upload allows it)
) => { abort?: () => void } | Promise<unknown> | undefined | void

export type Awaitable<T> = T | Promise<T>

// biome-ignore lint/suspicious/noConfusingVoidType: el-upload hooks often return nothing at all
export type BeforeUploadResult = boolean | void | undefined | File | Blob | null

/** el-upload's `data`: fields, a Promise of them, or a function of the file returning either. */
export type UploadData =
  | Record<string, unknown>
  | Promise<Record<string, unknown>>
  | ((rawFile: UploadRawFile) => Awaitable<Record<string, unknown>>)

export const PHASE_TO_STATUS: Record<EngineStatus, UploadStatus> = {
  idle: 'ready',
  queued: 'uploading',
  preparing: 'uploading',
  uploading: 'uploading',
  paused: 'uploading',
  retrying: 'uploading',
  completed: 'success',
  failed: 'fail',
  canceled: 'fail',
}
