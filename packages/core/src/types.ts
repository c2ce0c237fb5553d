import type { UploadError } from '@shuttle/protocol'
import type { RetryReason, UploadState } from './machine.js'
import type { UploadTotals } from './totals.js'

export type FileId = string

/** An immutable view of one file; a new object after every change. UI flags derive from `state`. */
export interface FileSnapshot {
  readonly id: FileId
  readonly name: string
  readonly size: number | null
  readonly type: string
  readonly metadata: Readonly<Record<string, string>>
  readonly state: UploadState
  readonly status: UploadState['status']
  readonly url?: string
  /** Bytes the server confirmed. */
  readonly bytesConfirmed: number
  /** Bytes handed to the network, including the request in flight. */
  readonly bytesSent: number
  /** 0–100, from bytesSent; 100 only once completed. */
  readonly percent: number
  /** Bytes per second, smoothed. */
  readonly speed: number
  /** Seconds left at the current speed; null when unknown. */
  readonly eta: number | null
  readonly error?: UploadError
  /**
   * Only while 'retrying': what the file waits for. 'network': the network is down; the file
   * continues by itself when it returns, spending no retry. 'rate-limit': the server answered 429
   * with Retry-After. 'backoff': a pause between retries.
   */
  readonly waitingFor?: RetryReason
  /**
   * Completed without sending a byte: the same file was finished on the server before (see
   * `rememberFinished`), or the server already held its content (instant upload).
   */
  readonly alreadyUploaded?: boolean
  /** Consecutive failed attempts (reset whenever the server confirms new bytes). */
  readonly attempts: number
  /** Only while the content identity is being hashed ('preparing'): bytes hashed of `total`. */
  readonly hashing?: HashingProgress
}

export interface HashingProgress {
  readonly bytes: number
  readonly total: number
}

export interface ProgressPayload {
  bytesSent: number
  bytesConfirmed: number
  bytesTotal: number
  speed: number
  eta: number | null
  /** While the content identity is being hashed. */
  hashing?: HashingProgress
}

export interface UploaderEvents {
  'file-added': { file: FileSnapshot }
  'state-change': { id: FileId; from: UploadState; to: UploadState }
  progress: { id: FileId } & ProgressPayload
  /** Totals over every file but canceled ones (computeTotals' rules), throttled like 'progress'. */
  'total-progress': UploadTotals
  'upload-created': { id: FileId; url: string }
  /** Every byte is stored; the server is assembling the file (S3 CompleteMultipartUpload). */
  completing: { id: FileId }
  completed: {
    id: FileId
    url: string
    response?: { status: number; body: string }
    /** The file was found finished on the server; nothing was sent. */
    alreadyUploaded?: boolean
    /** The server's Repr-Digest of the bytes it stored, found equal to the file's SHA-256 (base64). */
    verified?: { algorithm: 'sha-256'; digest: string }
    /** Finished by instant upload: the server already held this content and the proof of possession passed. */
    instant?: boolean
    /** The content identity (sha256-4m, base64) the server confirmed, equal to the file's. */
    identity?: { algorithm: 'sha256-4m'; digest: string }
  }
  /** The server refused bytes sent from file byte `offset` as damaged in transit (tus 460); they are sent again. */
  'checksum-mismatch': { id: FileId; offset: number }
  failed: { id: FileId; error: UploadError }
  retry: { id: FileId; attempt: number; delay: number; error: UploadError }
  'upload-restarted': { id: FileId; reason: 'not-found' | 'gone'; oldUrl: string }
  'auth-expired': { id: FileId; status: number }
  /** The network went down or came back (platform events, or a failed probe of the endpoint). */
  network: { online: boolean }
  canceled: { id: FileId }
  removed: { id: FileId }
  'queue-drained': Record<string, never>
  /**
   * A file restoreSession() listed is in the list again: added from its kept bytes, allowed by the
   * user (requestAccess) or matched by a pick of the same file (a ghost).
   */
  restored: { id: FileId; fingerprint: string }
  /** A listener threw; the engine carried on. */
  'listener-error': { error: unknown }
}

export type UploaderEventName = keyof UploaderEvents
