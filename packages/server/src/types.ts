import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import type { ChecksumAlgorithm, UploadMetadata } from '@shuttle/protocol'

/** How an upload takes part in the concatenation extension. */
export type UploadConcat = { kind: 'partial' } | { kind: 'final'; parts: readonly string[] }

/** What the server knows about one upload. Immutable: stores return fresh objects. */
export interface UploadInfo {
  readonly id: string
  /** Total length in bytes; undefined while the length is deferred (creation-defer-length). */
  readonly size: number | undefined
  /** Bytes stored so far. For the file store this is the data file's size on disk. */
  readonly offset: number
  readonly metadata: Readonly<UploadMetadata>
  /** Epoch milliseconds. */
  readonly createdAt: number
  /**
   * Epoch milliseconds after which an unfinished upload with no new bytes is gone (expiration
   * extension), as set at creation. Every stored byte pushes it back: see `expiresAtOf`.
   */
  readonly expiresAt: number | undefined
  /** Epoch milliseconds of the last stored byte (the creation time before any). */
  readonly lastWriteAt: number
  readonly concat: UploadConcat | undefined
}

/** What a caller hands to `DataStore.create`. */
export interface NewUpload {
  readonly id: string
  readonly size: number | undefined
  readonly metadata: Readonly<UploadMetadata>
  readonly createdAt: number
  readonly expiresAt: number | undefined
  readonly concat: UploadConcat | undefined
}

export interface WriteOptions {
  /** Aborting ends the write gracefully: bytes already received are kept, the rest is not read. */
  readonly signal: AbortSignal
  /** Most bytes this write may store. Past it the store keeps what fits and throws 413. */
  readonly maxBytes: number | undefined
  /** When given, the chunk is kept only if its digest matches (else TusError 460). */
  readonly checksum?: { readonly algorithm: ChecksumAlgorithm; readonly digest: Uint8Array }
  /** Called with the offset while a long write runs, at most every ~100 ms (not for the final offset). */
  readonly onProgress?: (offset: number) => void
}

export type StoreExtension =
  | 'creation-defer-length'
  | 'termination'
  | 'expiration'
  | 'concatenation'
  | 'checksum'

/**
 * Where upload bytes and info live. An interface with explicit capabilities, not a base class
 * with silent defaults: a store that cannot do something says so in `extensions`.
 */
export interface DataStore {
  readonly extensions: ReadonlySet<StoreExtension>
  create(upload: NewUpload): Promise<UploadInfo>
  /** Throws TusError('ERR_NOT_FOUND', 404) for unknown ids. */
  getUpload(id: string): Promise<UploadInfo>
  /** Appends `body` at `offset`; resolves with the new offset. */
  write(id: string, offset: number, body: Readable, options: WriteOptions): Promise<number>
  /** Sets the length of a deferred-length upload. */
  declareLength(id: string, size: number): Promise<UploadInfo>
  /** Creates a finished upload whose bytes are the given finished uploads', in order. */
  concatenate(upload: NewUpload, partIds: readonly string[]): Promise<UploadInfo>
  /** Streams bytes [start, end) of an upload (end defaults to the offset). */
  read(id: string, range?: { start: number; end: number }): Promise<Readable>
  remove(id: string): Promise<void>
  /** Every upload the store holds (used by the expiry sweep). */
  list(): AsyncIterable<UploadInfo>
  /**
   * Deletes what a crash can leave behind that belongs to no upload, untouched for `olderThanMs`
   * (run by the expiry sweep); resolves with how many files it removed.
   */
  removeLeftovers?(olderThanMs: number): Promise<number>
}

/** Asks the current holder of a lock to finish up and unlock. */
export type RequestRelease = () => void

export interface Lock {
  /**
   * Resolves once the lock is held. While waiting, the holder's `requestRelease` is called.
   * Rejects with UploadError('ERR_LOCK_TIMEOUT') when `signal` aborts first.
   * `requestRelease` is this caller's own callback, called when someone else wants the lock.
   */
  lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<void>
  unlock(): Promise<void>
}

export interface Locker {
  newLock(id: string): Lock
}

export interface Logger {
  error(message: string, err?: unknown): void
  info?(message: string, ...args: unknown[]): void
}

export interface TusServerEvents {
  'upload-created': { upload: UploadInfo }
  'upload-progress': { upload: UploadInfo; offset: number }
  'upload-finished': { upload: UploadInfo }
  'upload-terminated': { upload: UploadInfo }
  'upload-expired': { upload: UploadInfo }
}

/** What onUploadCreate may resolve with. */
// biome-ignore lint/suspicious/noConfusingVoidType: lets hooks written as `async () => {}` type-check
export type CreateHookResult = { metadata?: UploadMetadata } | undefined | void

export interface ServerOptions {
  /** URL prefix the handler owns. Default '/files/'. */
  path?: string
  /** Where uploads live. Either this or `directory`. */
  store?: DataStore
  /** Shortcut for `store: new FileStore({ directory })`. */
  directory?: string
  /** Largest accepted upload in bytes (Tus-Max-Size). Undefined: unlimited. */
  maxSize?: number
  /** Origins allowed to call the server from a browser. Undefined: no CORS headers at all. */
  corsOrigins?: '*' | readonly string[]
  /** Milliseconds after creation an unfinished upload expires. Undefined: never. */
  expireAfter?: number
  /** Milliseconds between expiry sweeps. Default 60 000. */
  expirySweepInterval?: number
  locker?: Locker
  /** Milliseconds to wait for an upload's lock before answering 423. Default 3000. */
  lockTimeout?: number
  maxMetadataSize?: number
  /** Answer with a path-only Location header. Default false (absolute URL). */
  relativeLocation?: boolean
  /** Build absolute URLs from Forwarded / X-Forwarded-Host / X-Forwarded-Proto. Default false. */
  respectForwardedHeaders?: boolean
  /** Throw TusError to reject (its status and message are sent); return { metadata } to replace it. */
  onUploadCreate?: (req: IncomingMessage, upload: UploadInfo) => Promise<CreateHookResult>
  /** Runs when the last byte is stored, before the response; a thrown TusError is sent. */
  onUploadFinish?: (req: IncomingMessage, upload: UploadInfo) => Promise<void>
  onResponseError?: (req: IncomingMessage, err: unknown) => void
  logger?: Logger
}

export type NextFunction = (err?: unknown) => void

export interface TusServer {
  /** Node request handler. Outside `path`: calls `next()` if given, else answers 404. */
  readonly handle: (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void
  on<E extends keyof TusServerEvents>(event: E, listener: (payload: TusServerEvents[E]) => void): () => void
  /** Deletes expired unfinished uploads; resolves with how many were removed. */
  sweepExpired(): Promise<number>
  /** Stops the sweep timer. */
  close(): Promise<void>
  readonly store: DataStore
}
