import type { Emitter } from '../emitter.js'
import type { UploadEvent } from '../machine.js'
import type { NormalizedOptions } from '../options.js'
import type { AbortSignalLike } from '../platform.js'
import type { Transport } from '../transports/transport.js'
import type { UploaderEvents } from '../types.js'
import type { AuthGate } from './auth-gate.js'
import type { Connectivity } from './connectivity.js'
import type { FileRecord } from './file-record.js'

/** What the per-file runner needs from the uploader; create-uploader.ts implements it. */
export interface EngineCore {
  readonly options: NormalizedOptions
  readonly transport: Transport
  readonly auth: AuthGate
  readonly events: Emitter<UploaderEvents>
  readonly connectivity: Connectivity
  /** Applies the reducer, refreshes the snapshot, emits 'state-change' on a status change, reschedules. */
  dispatch(rec: FileRecord, event: UploadEvent): void
  /** True while `run` is the record's current run (not paused, canceled or removed since). */
  isCurrent(rec: FileRecord, run: number): boolean
  setConfirmed(rec: FileRecord, bytes: number): void
  setSent(rec: FileRecord, bytes: number): void
  /** Emits (throttled) 'progress' and 'total-progress'; `force` for the final one. */
  progress(rec: FileRecord, force?: boolean): void
  metadataOf(rec: FileRecord): Record<string, string>
  /**
   * Fingerprints of files restoreSession() listed that are not back yet: the lookup that finds one
   * emits 'restored' (a pick matched a ghost, an allowed handle, a copy).
   */
  readonly restoring: Map<string, unknown>
  /** Fingerprints an earlier session's keeper holds (restoreSession read them): forgotten on completion. */
  readonly keptBefore: Set<string>
  /** Waits `ms`, or less if `signal` aborts first. Never rejects. */
  sleep(ms: number, signal: AbortSignalLike): Promise<void>
}
