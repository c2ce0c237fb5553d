// The slice of the @shuttle/core contract this package relies on. Typed here rather than imported
// so that component tests can hand in a fake engine, and so the UI states exactly what it needs.

export type FileId = string

export type EngineStatus =
  | 'idle'
  | 'queued'
  | 'preparing'
  | 'uploading'
  | 'paused'
  | 'retrying'
  | 'completed'
  | 'failed'
  | 'canceled'

export interface EngineError {
  readonly message: string
  readonly code?: string
  readonly retryable?: boolean
}

/** An immutable view of one engine file (core's FileSnapshot). */
export interface FileSnapshot {
  readonly id: FileId
  readonly name: string
  readonly size: number | null
  readonly type: string
  readonly metadata: Readonly<Record<string, string>>
  readonly status: EngineStatus
  readonly url?: string
  readonly bytesConfirmed: number
  readonly bytesSent: number
  readonly percent: number
  readonly speed: number
  readonly eta: number | null
  readonly error?: EngineError
  readonly attempts: number
}

export interface ProgressPayload {
  bytesSent: number
  bytesConfirmed: number
  bytesTotal: number
  speed: number
  eta: number | null
}

export interface EngineEvents {
  'file-added': { file: FileSnapshot }
  'state-change': { id: FileId; from: unknown; to: unknown }
  progress: { id: FileId } & ProgressPayload
  'total-progress': ProgressPayload
  'upload-created': { id: FileId; url: string }
  completed: { id: FileId; url: string; response?: { status: number; body: string } }
  failed: { id: FileId; error: EngineError }
  retry: { id: FileId; attempt: number; delay: number }
  canceled: { id: FileId }
  removed: { id: FileId }
  'queue-drained': Record<string, never>
}

export type EngineEventName = keyof EngineEvents

export type EngineInput = File | Blob | { blob: Blob; name: string }

export type HeadersInit = Record<string, string>

/** Options forwarded to core's createUploader (a subset; unknown keys pass through). */
export interface EngineOptions {
  endpoint: string
  protocol?: 'tus' | 'form' | 's3'
  chunkSize?: number
  creationWithUpload?: number
  parallelUploads?: number
  maxConcurrentUploads?: number
  retryDelays?: number[]
  headers?:
    | HeadersInit
    | ((ctx: { id: FileId; method: string; url: string }) => HeadersInit | Promise<HeadersInit>)
  metadata?: Record<string, string>
  autoStart?: boolean
  checkpointStore?: unknown
  fieldName?: string
  data?: Record<string, string>
  withCredentials?: boolean
  [key: string]: unknown
}

/** The engine object returned by createUploader. */
export interface Engine {
  add(input: EngineInput | EngineInput[], metadata?: Record<string, string>): FileId[]
  start(): void
  pause(id: FileId): void
  resume(id: FileId, opts?: { first?: boolean }): void
  cancel(id: FileId): Promise<void>
  remove(id: FileId): Promise<void>
  retry(id: FileId): void
  pauseAll(): void
  resumeAll(): void
  cancelAll(): Promise<void>
  /** Moves a waiting file to `index` in the upload order. */
  move(id: FileId, index: number): void
  getFiles(): readonly FileSnapshot[]
  getFile(id: FileId): FileSnapshot | undefined
  on<E extends EngineEventName>(event: E, fn: (payload: EngineEvents[E]) => void): () => void
  destroy(): Promise<void>
}
