import { isActive, type UploadStatus } from './machine.js'
import { eta } from './progress.js'
import type { ProgressPayload } from './types.js'

/** Progress over many files: the engine's 'total-progress' payload, and what a UI shows as totals. */
export interface UploadTotals extends ProgressPayload {
  /** 0–100 over every file that is not canceled. */
  percent: number
  /** Files in each broad phase (`active`: queued, preparing, uploading or retrying). */
  active: number
  completed: number
  failed: number
  paused: number
}

/** What one file contributes; a FileSnapshot is one. */
export interface TotalsItem {
  readonly status: UploadStatus
  readonly size: number | null
  readonly bytesSent: number
  readonly bytesConfirmed: number
  readonly speed: number
}

export const emptyTotals = (): UploadTotals => ({
  bytesTotal: 0,
  bytesSent: 0,
  bytesConfirmed: 0,
  speed: 0,
  eta: null,
  percent: 0,
  active: 0,
  completed: 0,
  failed: 0,
  paused: 0,
})

/**
 * Adds one file to `t`. The rules of every total in Shuttle live here: canceled files count for
 * nothing, a completed file counts its whole size, only active files add speed.
 */
export function addToTotals(
  t: UploadTotals,
  status: UploadStatus,
  size: number | null,
  bytesSent: number,
  bytesConfirmed: number,
  speed: number,
): void {
  if (status === 'canceled') return
  const total = size ?? 0
  const done = status === 'completed'
  t.bytesTotal += total
  t.bytesSent += done ? total : Math.min(bytesSent, total)
  t.bytesConfirmed += done ? total : Math.min(bytesConfirmed, total)
  if (isActive(status)) {
    t.active++
    t.speed += speed
  } else if (done) t.completed++
  else if (status === 'failed') t.failed++
  else if (status === 'paused') t.paused++
}

/** Fills the derived fields once every file was added. */
export function finishTotals(t: UploadTotals): UploadTotals {
  const remaining = t.bytesTotal - t.bytesSent
  t.percent = t.bytesTotal > 0 ? Math.min(100, (t.bytesSent / t.bytesTotal) * 100) : 0
  // Nothing moving: done (0) when everything arrived, unknown (null) when some files wait.
  t.eta = t.active > 0 ? eta(remaining, t.speed) : t.bytesTotal > 0 && remaining <= 0 ? 0 : null
  return t
}

/**
 * Totals over file snapshots (or anything shaped like them).
 *
 * @example
 * const { percent, eta, active } = computeTotals(uploader.getFiles())
 */
export function computeTotals<T extends TotalsItem>(files: Iterable<T>): UploadTotals {
  const t = emptyTotals()
  for (const f of files) addToTotals(t, f.status, f.size, f.bytesSent, f.bytesConfirmed, f.speed)
  return finishTotals(t)
}
