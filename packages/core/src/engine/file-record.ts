import type { UploadError } from '@shuttle/protocol'
import { offsetOf, type UploadState, urlOf } from '../machine.js'
import type { AbortControllerLike } from '../platform.js'
import type { Checkpoint, FileSource, SourceInfo } from '../ports.js'
import { createSpeedMeter, createThrottle, eta, PROGRESS_INTERVAL_MS, type SpeedMeter } from '../progress.js'
import type { FileId, FileSnapshot, HashingProgress, ProgressPayload } from '../types.js'

/** The engine's mutable bookkeeping for one file. Never handed out: users get snapshots. */
export interface FileRecord {
  readonly id: FileId
  readonly input: unknown
  info: SourceInfo
  /** Per-add metadata (before filename/filetype and uploader-wide metadata are merged). */
  readonly userMetadata: Readonly<Record<string, string>>
  /** The status and, in it, the position on the server (offset, URL): their only copy. */
  state: UploadState
  source?: FileSource
  fingerprint?: string
  checkpoint?: Checkpoint
  /** Bytes handed to the network, including the request in flight; never below the state's offset. */
  bytesSent: number
  /** Consecutive failed attempts; reset when the server confirms new bytes. */
  attempts: number
  /** The state's offset at the last failure: progress since then resets `attempts`. */
  confirmedAtLastFailure: number
  /** Consecutive auth refreshes without progress, to stop a token loop. */
  authRefreshes: number
  /** The newest credentials generation a request of this file succeeded with (-1: none yet). */
  authProven: number
  /** Refreshes of credentials that had worked and expired since, without progress (bounded). */
  authRenewals: number
  /** Consecutive 429 waits without progress (they spend no retry), to stop a server that never lets us in. */
  rateLimitWaits: number
  /** Higher starts first; ties go by `seq`. */
  priority: number
  /** Place in the waiting line; lower starts first. */
  seq: number
  /** Bumped on every start/pause/cancel: a run whose token is stale stops touching the record. */
  run: number
  controller?: AbortControllerLike
  running?: Promise<void>
  /** The latest attempt, settled either way: a stopped one may still be finishing a creation. */
  attempt?: Promise<unknown>
  readonly meter: SpeedMeter
  readonly throttle: (now: number, force?: boolean) => boolean
  snapshot?: FileSnapshot
  /** The checkpoint lookup (fingerprint + store), started at add() for inputs that can be fingerprinted then. */
  lookup?: Promise<string | undefined>
  /** The lookup's URL was handed to the first run already: later runs must not bring back a stale one. */
  lookupDelivered?: boolean
  /** The file keeper's keep() of this file (see options.fileKeeper); forget() waits for it. */
  kept?: Promise<void>
  /** keepLater() ran for this file (its timer is set or the keep started). */
  keepScheduled?: boolean
  /** Clock time the confirmed offset was last written into the checkpoint. */
  offsetSavedAt: number
  /** The latest offset write to the store, settled either way: deleting the checkpoint waits for it. */
  offsetWrite?: Promise<void>
  /** Completed by finding it finished on the server (a finished checkpoint): nothing was sent. */
  alreadyUploaded?: boolean
  /** The content identity (sha256-4m), once hashed or read from the checkpoint. */
  identity?: Uint8Array
  /** The identity's 4 MiB block digests, when this session hashed it (see TransportContext). */
  identityBlocks?: readonly Uint8Array[]
  /** While the identity is being hashed. */
  hashing?: HashingProgress
  /** Aborts the attempt in flight without stopping the run (the network went down); set by runAttempt. */
  interrupt?: (reason: UploadError) => void
}

export function createRecord(
  id: FileId,
  input: unknown,
  info: SourceInfo,
  meta: Record<string, string>,
): FileRecord {
  return {
    id,
    input,
    info,
    userMetadata: { ...meta },
    state: { status: 'idle' },
    bytesSent: 0,
    attempts: 0,
    confirmedAtLastFailure: 0,
    authRefreshes: 0,
    authProven: -1,
    authRenewals: 0,
    rateLimitWaits: 0,
    offsetSavedAt: 0,
    priority: 0,
    seq: 0,
    run: 0,
    meter: createSpeedMeter(),
    throttle: createThrottle(PROGRESS_INTERVAL_MS),
  }
}

/** Filename and filetype first so user metadata can override them. */
export function uploadMetadata(
  rec: FileRecord,
  shared: Readonly<Record<string, string>>,
): Record<string, string> {
  const meta: Record<string, string> = { filename: rec.info.name }
  if (rec.info.type) meta.filetype = rec.info.type
  return { ...meta, ...shared, ...rec.userMetadata }
}

function errorOf(state: UploadState): UploadError | undefined {
  return state.status === 'failed' || state.status === 'retrying' ? state.error : undefined
}

/** A frozen snapshot, cached until the record changes (invalidate by deleting `rec.snapshot`). */
export function snapshotOf(
  rec: FileRecord,
  metadataOf: (rec: FileRecord) => Record<string, string>,
): FileSnapshot {
  if (rec.snapshot) return rec.snapshot
  const metadata = metadataOf(rec)
  const size = rec.info.size
  const done = rec.state.status === 'completed'
  const speed = rec.state.status === 'uploading' ? rec.meter.speed : 0
  const error = errorOf(rec.state)
  const url = urlOf(rec.state)
  const snap: FileSnapshot = Object.freeze({
    id: rec.id,
    name: rec.info.name,
    size,
    type: rec.info.type,
    metadata: Object.freeze(metadata),
    state: rec.state,
    status: rec.state.status,
    ...(url !== undefined ? { url } : {}),
    bytesConfirmed: offsetOf(rec.state),
    bytesSent: rec.bytesSent,
    percent: done ? 100 : size ? Math.min(100, (rec.bytesSent / size) * 100) : 0,
    speed,
    eta: done ? 0 : size === null ? null : eta(size - rec.bytesSent, speed),
    ...(error ? { error } : {}),
    ...(rec.state.status === 'retrying' ? { waitingFor: rec.state.reason } : {}),
    ...(rec.alreadyUploaded && done ? { alreadyUploaded: true } : {}),
    attempts: rec.attempts,
    ...(rec.hashing ? { hashing: rec.hashing } : {}),
  })
  rec.snapshot = snap
  return snap
}

export function payloadOf(rec: FileRecord): ProgressPayload {
  const total = rec.info.size ?? 0
  const speed = rec.state.status === 'uploading' ? rec.meter.speed : 0
  const done = rec.state.status === 'completed'
  return {
    bytesSent: rec.bytesSent,
    bytesConfirmed: offsetOf(rec.state),
    bytesTotal: total,
    speed,
    eta: done ? 0 : eta(total - rec.bytesSent, speed),
    ...(rec.hashing ? { hashing: rec.hashing } : {}),
  }
}
