import type { NormalizedOptions } from '../options.js'
import type { AbortSignalLike } from '../platform.js'
import type { Checkpoint, FileSource, HttpRequest, HttpResponse } from '../ports.js'
import type { FileId } from '../types.js'

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
export interface TransportContext {
  readonly id: FileId
  readonly source: FileSource
  readonly size: number
  /** Upload-Metadata for this file (filename, filetype and user metadata merged). */
  readonly metadata: Readonly<Record<string, string>>
  readonly options: NormalizedOptions
  /** The last saved checkpoint (this session or a previous one), if any. */
  readonly checkpoint: Checkpoint | undefined
  readonly signal: AbortSignalLike
  send(req: TransportRequest): Promise<HttpResponse>
  /** Persist as soon as an upload URL is known, before the first byte is sent. */
  saveCheckpoint(checkpoint: Checkpoint): Promise<void>
  /** The server confirmed this many bytes of the file in total. */
  confirmed(bytes: number): void
  /** This many bytes of the file are confirmed or in flight. */
  sent(bytes: number): void
  created(url: string): void
  /** All bytes are stored; the transport now asks the server to assemble the upload (S3 Complete). */
  completing(): void
  restarted(reason: 'not-found' | 'gone', oldUrl: string): void
}

export interface TransportResult {
  url: string
  response?: { status: number; body: string }
}

export interface TerminateContext {
  readonly checkpoint: Checkpoint
  readonly signal: AbortSignalLike
  send(req: TransportRequest): Promise<HttpResponse>
}

export interface Transport {
  /** Can continue from the server's offset after an interruption. */
  readonly resumable: boolean
  /** Can upload several parts of one file at once. */
  readonly parallelChunks: boolean
  /** One attempt: resume or create, then send until done. Throws UploadError on any failure. */
  upload(ctx: TransportContext): Promise<TransportResult>
  /** Deletes the server-side upload (tus termination). */
  terminate(ctx: TerminateContext): Promise<void>
}
