import type { NormalizedOptions } from '../options.js'
import type { AbortSignalLike } from '../platform.js'
import type { Checkpoint, FileSource, HttpRequest, HttpResponse } from '../ports.js'
import type { FileId } from '../types.js'

// The seam between the engine and a wire protocol. The engine owns the queue, the lifecycle,
// retries, stall detection, auth refresh and the checkpoint envelope; a transport owns one
// protocol: how an attempt sends a file, what it needs to resume (its checkpoint `state`), and how
// a canceled upload is deleted. tus, S3 multipart and form POST are three transports like any other.

/**
 * A request as a transport describes it; the engine adds user headers, the attempt's signal (linked
 * with `signal` when given) and stall detection.
 */
export type TransportRequest = Omit<HttpRequest, 'signal'> & {
  signal?: AbortSignalLike
  /** false: send only the transport's headers (a presigned S3 URL must not get the app's Authorization). */
  userHeaders?: boolean
  /**
   * This request creates an upload on the server (tus POST), whose URL comes only with the answer.
   * Pause, cancel and destroy let it finish (only a stall aborts it), so the URL reaches the
   * checkpoint and no server upload is left that the client does not know; a later attempt of the
   * file waits for it. The transport must save the URL before its next request.
   */
  creates?: boolean
}

/** The engine's services for one attempt of one file. Transports never retry or sleep: the engine does. */
export interface TransportContext<State = unknown> {
  readonly id: FileId
  readonly source: FileSource
  readonly size: number
  /** Upload-Metadata for this file (filename, filetype and user metadata merged). */
  readonly metadata: Readonly<Record<string, string>>
  readonly options: NormalizedOptions
  /**
   * The last checkpoint this transport saved for the file (this session or an earlier one), its
   * `state` already validated by `parseState`; undefined for a fresh upload.
   */
  readonly checkpoint: Checkpoint<State> | undefined
  /** The file's content identity (sha256-4m), when the engine computed one before this attempt. */
  readonly identity?: Uint8Array
  /**
   * The digest of each 4 MiB block of the file (sha256-4m's), when this session hashed the identity (not when it
   * came from a checkpoint): a request that starts on a block boundary takes its `sha256-4m`
   * checksum from them instead of hashing its bytes again.
   */
  readonly identityBlocks?: readonly Uint8Array[]
  readonly signal: AbortSignalLike
  send(req: TransportRequest): Promise<HttpResponse>
  /**
   * Persists what a later attempt, reload or process needs to resume; call it as soon as the
   * upload exists on the server, before its first byte is sent. The engine adds the envelope
   * (transport name, size, endpoint, metadata, timestamps).
   */
  saveCheckpoint(checkpoint: { url?: string; state: State }): Promise<void>
  /** The server confirmed this many bytes of the file in total. */
  confirmed(bytes: number): void
  /** This many bytes of the file are confirmed or in flight. */
  sent(bytes: number): void
  created(url: string): void
  /** All bytes are stored; the transport now asks the server to assemble the upload (S3 Complete). */
  completing(): void
  /** The server lost the upload (`oldUrl`); this attempt starts a fresh one from byte 0. */
  restarted(reason: 'not-found' | 'gone', oldUrl: string): void
  /** The server refused the bytes sent from file byte `offset` as damaged (tus 460); they go again. */
  checksumMismatch?(offset: number): void
}

export interface TransportResult {
  url: string
  response?: { status: number; body: string }
  /** The server's digest of the bytes it stored, checked equal to the file's own. */
  verified?: { algorithm: 'sha-256'; digest: string }
  /** Finished with no byte sent: the server already held the file (instant upload, proof accepted). */
  instant?: boolean
  /** The content identity (sha256-4m, base64) the server confirmed for the stored bytes. */
  identity?: { algorithm: 'sha256-4m'; digest: string }
}

export interface TerminateContext<State = unknown> {
  /** The file's checkpoint, `state` validated by `parseState`. */
  readonly checkpoint: Checkpoint<State>
  readonly signal: AbortSignalLike
  send(req: TransportRequest): Promise<HttpResponse>
}

/**
 * One upload protocol. `State` is what its checkpoints carry besides the engine's envelope.
 *
 * @example
 * const transport: TransportFactory = () => ({ name: 'my-protocol', resumable: false, … })
 * createUploader({ endpoint, transport })
 */
export interface Transport<State = unknown> {
  /** Names its checkpoints: only a transport of the same name resumes them. */
  readonly name: string
  /** Can continue from the server's offset after an interruption (the engine then keeps checkpoints). */
  readonly resumable: boolean
  /** Can upload several parts of one file at once. */
  readonly parallelChunks: boolean
  /**
   * Validates the `state` of a checkpoint this transport saved, read back from storage the user
   * controls (possibly written by an earlier version). `checkpoint` is its validated envelope
   * (size, url…). undefined = unusable: the file starts a fresh upload.
   */
  parseState(state: unknown, checkpoint: Checkpoint): State | undefined
  /** One attempt: resume or create, then send until done. Throws UploadError on any failure. */
  upload(ctx: TransportContext<State>): Promise<TransportResult>
  /** Deletes the server-side upload on cancel; without it, cancel only forgets the checkpoint. */
  terminate?(ctx: TerminateContext<State>): Promise<void>
  /**
   * With `identity: 'auto'`: whether the server uses the file's content identity (tus: it lists
   * `instant-upload`), asked before the identity is hashed. `ctx.checkpoint` and `ctx.identity` are
   * not set yet. Without it, 'auto' computes none.
   */
  wantsIdentity?(ctx: TransportContext<State>): Promise<boolean>
}

/**
 * Makes the uploader's transport from its normalized options, once per `createUploader`. The
 * `transport` option takes one; `protocol: 'tus' | 's3' | 'form'` picks a built-in one.
 */
// biome-ignore lint/suspicious/noExplicitAny: a factory may return a transport of any State
export type TransportFactory = (options: NormalizedOptions) => Transport<any>
