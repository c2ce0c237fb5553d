import type { IncomingMessage, ServerResponse } from 'node:http'
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
  /**
   * The token subject that created the upload (`tokens` option); only it may use the upload.
   * Undefined for uploads created without tokens (and for info stored before owners existed).
   */
  readonly owner?: string
  /** Anyone with the URL may download it once finished (GET only); set by a `publicRead` token. */
  readonly publicRead?: boolean
  /**
   * The content identity (sha256-4m, lower-case hex) the client declared at creation
   * (extension `instant-upload`). Stores that offer `identity` keep it.
   */
  readonly identity?: string
  /** The server computed the identity of the stored bytes and it matched (`recordIdentity`). */
  readonly identityVerified?: boolean
}

/** What a caller hands to `DataStore.create`. */
export interface NewUpload {
  readonly id: string
  readonly size: number | undefined
  readonly metadata: Readonly<UploadMetadata>
  readonly createdAt: number
  readonly expiresAt: number | undefined
  readonly concat: UploadConcat | undefined
  /** Stores keep it and return it from every read (see UploadInfo.owner). */
  readonly owner?: string
  /** Stores keep it and return it from every read (see UploadInfo.publicRead). */
  readonly publicRead?: boolean
  /** Stores that offer `identity` keep it and return it from every read (see UploadInfo.identity). */
  readonly identity?: string
}

/**
 * Request and stored bytes as a store sees them: any async iterable of byte chunks. A Node
 * `Readable` is one (and the file store keeps its zero-copy fast path for it); so is a web
 * `ReadableStream` or an async generator, so a store needs nothing Node-only.
 */
export type ByteSource = AsyncIterable<Uint8Array>

export interface WriteOptions {
  /** Aborting ends the write gracefully: bytes already received are kept, the rest is not read. */
  readonly signal: AbortSignal
  /**
   * The caller's lease on the upload's lock. Once it is lost the store writes nothing more, not
   * even bytes already received (another holder may be writing), and the write rejects.
   */
  readonly lease?: Lease
  /** Most bytes this write may store. Past it the store keeps what fits and throws 413. */
  readonly maxBytes: number | undefined
  /**
   * When given, the chunk is kept only if its digest matches (else TusError 460). A function is a
   * checksum that arrives after the body (HTTP trailer, extension `checksum-trailer`): the store
   * calls it once the body ended; when it returns undefined, throws, or does not match, none of the
   * body counts (the store goes back to `offset`) and the write rejects (460, or what it threw).
   */
  readonly checksum?: {
    readonly algorithm: ChecksumAlgorithm
    readonly digest: Uint8Array | (() => Uint8Array | undefined)
    /**
     * The same algorithm's digest of exactly the bytes this write feeds to `hash`, computed by
     * `hash` itself (sha256-4m from the identity's blocks, or a sha256 trailer from byte 0): the store
     * then hashes nothing more and calls `digest()` once the body ended. A store never derives it
     * from `hash` itself, which may hold no SHA-256 (a client that did not want Repr-Digest).
     */
    readonly shared?: { digest(): Uint8Array }
  }
  /**
   * A SHA-256 that covers the upload's bytes [0, offset): the store feeds it every byte this write
   * keeps, in order. After a write that rejects, its state is unspecified (the caller drops it).
   */
  readonly hash?: RunningHash
  /** Called with the offset while a long write runs, at most every ~100 ms (not for the final offset). */
  readonly onProgress?: (offset: number) => void
}

/** An incremental hash (node:crypto's Hash is one). */
export interface RunningHash {
  update(data: Uint8Array): unknown
  copy(): RunningHash
  digest(): Uint8Array
}

export type StoreExtension =
  | 'creation-defer-length'
  | 'termination'
  | 'expiration'
  | 'concatenation'
  | 'checksum'
  | 'checksum-trailer'
  /** Content identities and shared storage: instant upload (needs the three identity methods and `read`). */
  | 'identity'

/**
 * Where upload bytes and info live. An interface with explicit capabilities, not a base class
 * with silent defaults: a store offers an extension by listing it in `extensions` *and*
 * implementing the methods it needs (checked once when the server is created):
 * `creation-defer-length` → `declareLength`, `concatenation` → `concatenate`, `expiration` →
 * `list`. `read` serves GET downloads; without it GET answers 405. Run `describeDataStore` from
 * `@shuttle/server/conformance` over a new store.
 */
export interface DataStore {
  readonly extensions: ReadonlySet<StoreExtension>
  /**
   * (`checksum`) The Upload-Checksum algorithms `write` verifies, as Tus-Checksum-Algorithm lists
   * them; others are refused with 400 before the store sees them. Default: sha1, sha256, md5.
   * Listing `sha256-4m` means `write` hashes it too (`createChecksumHash`) or takes `checksum.shared`.
   */
  readonly checksumAlgorithms?: readonly ChecksumAlgorithm[]
  create(upload: NewUpload): Promise<UploadInfo>
  /**
   * Throws TusError 404 ('ERR_NOT_FOUND') for unknown ids, and TusError 410 ('ERR_DAMAGED') for
   * an upload whose stored state cannot be read (it can still be removed).
   */
  getUpload(id: string): Promise<UploadInfo>
  /**
   * Appends `body` at `offset`, which must be the upload's offset (else TusError 409); resolves
   * with the new offset. Callers hold the upload's lock.
   */
  write(id: string, offset: number, body: ByteSource, options: WriteOptions): Promise<number>
  /** Removes everything of an upload, also a damaged one. */
  remove(id: string): Promise<void>
  /** Sets the length of a deferred-length upload (extension `creation-defer-length`). */
  declareLength?(id: string, size: number): Promise<UploadInfo>
  /** Creates a finished upload whose bytes are the given finished uploads', in order (`concatenation`). */
  concatenate?(upload: NewUpload, partIds: readonly string[]): Promise<UploadInfo>
  /** Streams bytes [start, end) of an upload (end defaults to the offset). */
  read?(id: string, range?: { start: number; end: number }): Promise<ByteSource>
  /** Every upload the store holds (`expiration`: the expiry sweep walks it). */
  list?(): AsyncIterable<UploadInfo>
  /**
   * Deletes what a crash can leave behind that belongs to no upload, and uploads whose stored
   * state is damaged, untouched for `olderThanMs`; resolves with how many it removed.
   */
  removeLeftovers?(olderThanMs: number): Promise<number>
  /** The locker this store is safe with when the server is given none (e.g. one across processes). */
  defaultLocker?(): Locker
  /**
   * (`identity`) Marks a finished upload's identity as checked against its stored bytes: from now on
   * `findFinishedByIdentity` may return it and reads say `identityVerified`. Must survive a crash
   * (a crash before it only means the upload is not found by identity).
   */
  recordIdentity?(id: string): Promise<UploadInfo>
  /**
   * (`identity`) A finished upload whose verified identity and length are these, created by
   * `owner` (any owner when undefined); undefined when none. Uploads removed meanwhile are skipped.
   */
  findFinishedByIdentity?(
    identity: string,
    size: number,
    owner: string | undefined,
  ): Promise<UploadInfo | undefined>
  /**
   * (`identity`) Makes the empty upload `targetId` hold the finished upload `sourceId`'s bytes,
   * sharing storage where it can (file store: a hard link), so that removing either never breaks
   * the other; resolves with the target, finished and verified. Throws TusError 404 when the source is gone.
   */
  shareFrom?(sourceId: string, targetId: string): Promise<UploadInfo>
}

/** Asks the current holder of a lock to finish up and unlock. */
export type RequestRelease = () => void

/**
 * A held lock is a lease: it can be lost (its time ran out unrenewed, another process broke it as
 * stale, the service behind it failed). Once lost, the holder must not mutate the upload.
 */
export interface Lease {
  /** Aborts when the lease is known to be lost. */
  readonly lost: AbortSignal
  /**
   * Throws (HttpError 423, 'ERR_LEASE_LOST') when the lease is lost or may be (its renewal is
   * overdue). No I/O: cheap enough to call before every write.
   */
  assertHeld(): void
}

export interface Lock {
  /**
   * Resolves with the lease once the lock is held. While waiting, the holder is asked to release
   * (its `requestRelease` is called). Rejects with UploadError('ERR_LOCK_TIMEOUT') when `signal`
   * aborts first. `requestRelease` is this caller's own callback, called when someone else wants
   * the lock.
   */
  lock(signal: AbortSignal, requestRelease: RequestRelease): Promise<Lease>
  unlock(): Promise<void>
}

/** Hands out locks, one per upload id. Run `describeLocker` from `@shuttle/server/conformance` over a new one. */
export interface Locker {
  newLock(id: string): Lock
  /**
   * Optional, for lockers shared by several instances: claims a duty (e.g. `expiry-sweep`) for
   * `ttlMs`; resolves true for one caller across all instances until the claim runs out, false for
   * the others. Without it every instance does the duty.
   */
  claim?(duty: string, ttlMs: number): Promise<boolean>
  /**
   * Optional: whether some instance holds the upload's lock now (a PATCH streaming into it). The
   * expiry sweep skips such uploads instead of asking their holder to release.
   */
  busy?(id: string): Promise<boolean>
}

/** What a request wants to do to an upload; `authorize` decides. */
export type TusAction = 'create' | 'head' | 'write' | 'read' | 'delete' | 'concatenate'

export interface AuthorizeRequest<A extends string = TusAction> {
  readonly action: A
  /** The upload's id ('' for a creation not yet stored). */
  readonly id: string
  /**
   * The upload as stored (as it will be stored, for 'create'; the part, for 'concatenate').
   * Undefined only for 'delete' of an upload whose stored state is damaged.
   */
  readonly upload: UploadInfo | undefined
}

// biome-ignore lint/suspicious/noConfusingVoidType: lets `async () => {}` mean "allowed"
export type AuthorizeResult = boolean | undefined | void

/**
 * Decides a request before it touches anything: return `false` to answer 403, or throw an
 * HttpError/TusError to answer with its status and message (e.g. 404 to hide that an upload
 * exists). Anything else allows it.
 */
export type Authorize<R> = (req: IncomingMessage, request: R) => AuthorizeResult | Promise<AuthorizeResult>

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
  /**
   * Runs for every request on an upload (create, head, write, read, delete, and each part of a
   * concatenation) before it takes a lock or touches the store. See `Authorize`.
   */
  authorize?: Authorize<AuthorizeRequest>
  /**
   * Require an upload token (`Authorization: Bearer <JWT>`, see `issueUploadToken`) on every
   * request but CORS preflights and discovery (OPTIONS). Missing, expired or forged tokens get 401
   * with a `WWW-Authenticate: Bearer` challenge.
   */
  tokens?: { readonly secret: string | Uint8Array }
  /**
   * Per-subject limits (the token's subject; the client's address without tokens). Counted per
   * process: several instances each count their own. Off unless given. See `QuotaOptions`.
   */
  quotas?: QuotaOptions
  onResponseError?: (req: IncomingMessage, err: unknown) => void
  logger?: Logger
  /**
   * Told what the server does, for metrics: `createMetrics().observer` from
   * `@shuttle/server/metrics` counts it for Prometheus. It never sees upload ids, names or subjects.
   */
  observer?: ServerObserver
  /**
   * Instant upload (extension `instant-upload`, offered when the store has the `identity`
   * capability): a creation declaring the identity of a file the server already holds completes
   * after a proof of possession. `scope: 'owner'` (default) matches only the same token subject's
   * uploads; 'global' matches anyone's (without tokens every upload is in one global scope).
   * `false` turns the extension off (declared identities are then ignored).
   */
  instantUpload?: false | { readonly scope?: 'owner' | 'global' }
}

/** What the server reports for metrics (see `ServerOptions.observer`). Every method is optional. */
export interface ServerObserver {
  uploadCreated?(): void
  uploadFinished?(): void
  /** A PATCH began (`patchEnded` follows, whatever its outcome). */
  patchStarted?(): void
  patchEnded?(): void
  /** A write (PATCH, creation-with-upload) stored this many more bytes. */
  bytesStored?(bytes: number): void
  /** A write (PATCH, creation-with-upload) answered this error status; what it stored is kept. */
  writeFailed?(status: number): void
}

/**
 * What a locker that waits across processes reports (RedisLocker's `onEvent`), for metrics.
 * `waited`: an acquisition found the lock held and waited `ms` (acquired, or gave up). `takeover`:
 * an acquisition after such a wait, the holder having released on request ('released') or its
 * lease having run out unrenewed ('expired', a dead or stopped holder).
 */
export type LockEvent =
  | { readonly type: 'waited'; readonly ms: number; readonly acquired: boolean }
  | { readonly type: 'takeover'; readonly how: 'released' | 'expired' }

/**
 * Limits per subject. Rate limits answer 429 with Retry-After (seconds) and a sentence; stored
 * limits answer 403 with a sentence saying what to delete. A token's own `maxFiles` and
 * `maxTotalBytes` are checked the same way, on top of these.
 */
export interface QuotaOptions {
  /** New uploads one subject may create per `windowMs` (429). */
  readonly creations?: number
  /** The window of `creations` in milliseconds. Default 60 000 (creations per minute). */
  readonly windowMs?: number
  /** Unfinished uploads one subject may have at once (429). */
  readonly concurrentUploads?: number
  /** Uploads one subject may keep stored, finished or not (403). */
  readonly storedFiles?: number
  /** Bytes (declared Upload-Length) one subject may keep stored (403). */
  readonly storedBytes?: number
}

export type NextFunction = (err?: unknown) => void

export interface TusServer {
  /** Node request handler. Outside `path`: calls `next()` if given, else answers 404. */
  readonly handle: (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void
  on<E extends keyof TusServerEvents>(event: E, listener: (payload: TusServerEvents[E]) => void): () => void
  /** Deletes expired unfinished uploads; resolves with how many were removed. */
  sweepExpired(): Promise<number>
  /**
   * Graceful shutdown, step one: from now on every request is answered 503 with Retry-After and a
   * sentence; running writes stop reading their bodies, keep what reached the store and release
   * their locks (their clients resume, e.g. on another instance). Resolves once no request is
   * running, or after `timeoutMs`, with how many still were (their locks then expire by themselves).
   */
  drain(timeoutMs: number): Promise<number>
  /** True once `drain` was called. */
  readonly draining: boolean
  /** Stops the sweep timer. */
  close(): Promise<void>
  readonly store: DataStore
}
