import type { AbortSignalLike } from './platform.js'

// The engine depends only on these interfaces; browser/ and node/ implement them (STYLE 3.5).

/** What the engine knows about an input before and after opening it. */
export interface SourceInfo {
  name: string
  /** null until known (a Node path is only stat'ed in 'preparing'). */
  size: number | null
  type: string
  lastModified?: number
  /** Absolute file path, Node only. */
  path?: string
  /** Content hash for inputs with no identity of their own (in-memory bytes), for fingerprints. */
  contentHash?: string
}

/** Random access to the bytes of one input. Slices are read on demand, never the whole file. */
export interface FileSource {
  readonly info: SourceInfo & { size: number }
  /**
   * Reads [start, end) into memory (checksums, small bodies). `once`: a read on its own, not part
   * of reading forward (the scattered ranges of an instant-upload proof): a source that keeps
   * streams open for forward reads (browsers' Blob reader) reads it directly, at once with others.
   */
  read(start: number, end: number, options?: { once?: boolean }): Promise<Uint8Array>
  /** Streams [start, end) without buffering it (Node). */
  stream?(start: number, end: number): AsyncIterable<Uint8Array>
  /** Node files: a positional reader the HttpClient fills its recycled buffers from, one per body. */
  openReader?(): Promise<PositionalReader>
  /** A platform body for [start, end) that the platform's HttpClient can send as-is (browser Blob). */
  body?(start: number, end: number): unknown
  /**
   * True when `body()` is cheaper to send than bytes already read (a browser File from a picker or
   * a drop: the browser streams it from disk). Checksummed chunks then send it and only hash what
   * was read; otherwise they send the bytes read (an in-memory Blob's slice is one more copy).
   */
  readonly preferBody?: boolean
  close(): Promise<void>
}

export interface PositionalReader {
  /** Reads up to `into.length` bytes at `position`; 0 at the end of the file. */
  read(into: Uint8Array, position: number): Promise<number>
  close(): Promise<void>
}

/** Turns user inputs into sources. `describe` is sync because `add()` returns ids synchronously. */
export interface FileReaderPort {
  describe(input: unknown): SourceInfo
  open(input: unknown, signal: AbortSignalLike): Promise<FileSource>
}

export type RequestBody =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'range'; source: FileSource; start: number; end: number }
  | {
      kind: 'form'
      fieldName: string
      fields: Record<string, string>
      source: FileSource
      filename: string
      contentType: string
    }

export interface HttpRequest {
  method: string
  url: string
  headers: Record<string, string>
  body?: RequestBody
  signal: AbortSignalLike
  /** Called with the body bytes handed to the network so far for this request. */
  onUploadProgress?: (bytesSent: number) => void
  withCredentials?: boolean
  /**
   * A header sent after the body (HTTP/1.1 trailer, chunked body), for a value known only once every
   * byte went out: tus checksum-trailer. Only for clients with `trailers: true`.
   */
  trailer?: RequestTrailer
}

export interface RequestTrailer {
  readonly name: string
  /** Sees every body byte, in order, as it goes out. */
  observe(bytes: Uint8Array): void
  /** The value, asked once the last byte went out. */
  value(): string
}

export interface HttpResponse {
  status: number
  /** Case-insensitive header lookup. */
  header(name: string): string | undefined
  /** Response text, possibly truncated; for messages only. */
  body: string
}

/**
 * Sends one request. Resolves for every HTTP status; rejects with NetworkError when no answer
 * came, and UploadError('ERR_ABORTED') when the signal aborted it. Never retries: the engine does.
 */
export interface HttpClient {
  send(req: HttpRequest): Promise<HttpResponse>
  /** Sends `HttpRequest.trailer` (Node's client; browsers cannot send request trailers). */
  readonly trailers?: boolean
  /** Releases pooled connections; called by destroy() only for the client the uploader created. */
  close?(): void
}

/**
 * Everything needed to resume an upload after a pause, a crash or a reload. The engine owns the
 * envelope; `state` belongs to the transport named in `transport`, which validates it before use.
 * Checkpoints saved before transports owned their state (`{ url?, parts?, s3?, … }` with no
 * `transport`) are still read: parseCheckpoint() turns them into this shape.
 */
export interface Checkpoint<State = unknown> {
  /** `Transport.name` of the transport that saved it; only that transport resumes it. */
  transport: string
  /** The upload's URL on the server once created (tus upload URL, S3 upload), for display and resume. */
  url?: string
  size: number
  endpoint: string
  metadata: Record<string, string>
  /** The transport's own resume data (tus: concatenation parts; S3: key, uploadId, parts). */
  state: State
  /**
   * The offset the server last confirmed to this client: shown for a waiting file before its HEAD
   * answers (a hint; the server's answer always wins).
   */
  offset?: number
  /** Kept after completion (`rememberFinished`): picking the file again finds it done on the server. */
  finished?: boolean
  /**
   * The file's content identity (sha256-4m, base64) when it was computed: the checkpoint is also
   * stored under an identity key, so the same bytes under another name or date find it.
   */
  identity?: string
  createdAt: number
  updatedAt: number
}

export interface CheckpointStore {
  get(fingerprint: string): Promise<Checkpoint | undefined>
  set(fingerprint: string, checkpoint: Checkpoint): Promise<void>
  delete(fingerprint: string): Promise<void>
  list?(): Promise<Array<{ fingerprint: string; checkpoint: Checkpoint }>>
}

export type DigestAlgorithm = 'sha1' | 'sha256'

/** An incremental SHA-256 (node:crypto in Node, hash-wasm in browsers: WebCrypto has none). */
export interface Sha256 {
  update(bytes: Uint8Array): void
  digest(): Uint8Array
}

export type CreateSha256 = () => Promise<Sha256>

/** Hashes bytes; web crypto in browsers, node:crypto in Node. */
export type DigestFn = (algorithm: DigestAlgorithm, bytes: Uint8Array) => Promise<Uint8Array>

export type Fingerprint = (file: SourceInfo, endpoint: string) => string | Promise<string>

/**
 * Whether the network is up, as far as the platform can tell (browsers: navigator.onLine and the
 * online/offline events). The engine waits for it instead of spending retry budget while offline.
 */
export interface NetworkMonitor {
  /** False when the platform knows it is offline. */
  readonly online: boolean
  /** Calls `fn` on every change of `online`; returns the unsubscribe function. */
  subscribe(fn: (online: boolean) => void): () => void
  /**
   * Asks whether the server at `url` can be reached at all: true for any answer (any status, even
   * one the page may not read), false when no answer comes. Must not throw.
   */
  probe(url: string, signal: AbortSignalLike): Promise<boolean>
}

/** A file a FileKeeper holds for a later session, as it describes it. */
export interface KeptFile {
  fingerprint: string
  name: string
  size: number
  type: string
  lastModified?: number
  /**
   * How its bytes come back. 'handle': a File System Access handle (read permission may have to
   * be asked again, from a click); 'copy': a copy the keeper made (small files, OPFS); 'ghost':
   * no bytes, only the description, so the user must pick the file again.
   */
  how: 'handle' | 'copy' | 'ghost'
}

/**
 * Keeps the inputs of unfinished uploads so a reload or a browser restart can resume them without
 * picking the files again (browser: createBrowserFileKeeper). The engine calls keep() when it
 * fingerprints a file and forget() when its upload completes or is canceled. Best effort: every
 * method may fail; the engine then carries on without it.
 */
export interface FileKeeper {
  /**
   * The engine keeps a file only once its upload has run this long without finishing (default
   * 1000 ms): a file done sooner has nothing to come back for, and many small files cost nothing.
   */
  readonly keepAfterMs?: number
  keep(fingerprint: string, input: unknown, info: SourceInfo): Promise<void>
  forget(fingerprint: string): Promise<void>
  list(): Promise<KeptFile[]>
  /** The input again if it can be read without asking the user (a copy, a handle still allowed). */
  open(fingerprint: string): Promise<unknown | undefined>
  /** Asks the user for read access to a kept handle (call it from a click); the input once allowed. */
  requestAccess(fingerprint: string): Promise<unknown | undefined>
}
