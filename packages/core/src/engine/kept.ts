import { createAbortController } from '../platform.js'
import type { EngineCore } from './core.js'
import type { FileRecord } from './file-record.js'

/**
 * Default FileKeeper.keepAfterMs: a file whose upload is done within a second needs nothing kept,
 * so 10 000 small files cost the keeper nothing.
 */
export const KEEP_AFTER_MS = 1000

/**
 * Hands the file to the keeper once its upload has run `keepAfterMs` without finishing: from then
 * on a reload or a browser restart can bring it back (restoreSession). Never in the upload's way.
 */
export function keepLater(core: EngineCore, rec: FileRecord): void {
  const keeper = core.options.fileKeeper
  if (!keeper || rec.keepScheduled || !core.transport.resumable) return
  rec.keepScheduled = true
  const keep = () => {
    const status = rec.state.status
    if (status === 'completed' || status === 'canceled' || rec.fingerprint === undefined) return
    rec.kept = keeper.keep(rec.fingerprint, rec.input, rec.info).catch(() => {})
  }
  const delay = keeper.keepAfterMs ?? KEEP_AFTER_MS
  if (delay <= 0) keep()
  else void core.sleep(delay, createAbortController().signal).then(keep)
}

/** The upload is over (completed or canceled): the keeper's handle, copy or ghost goes. */
export async function forgetKept(core: EngineCore, rec: FileRecord): Promise<void> {
  const keeper = core.options.fileKeeper
  // Only what this session kept or an earlier one left (restoreSession listed it): the other
  // files (most small ones) cost the keeper no I/O at all.
  if (!keeper || rec.fingerprint === undefined) return
  if (rec.kept === undefined && !core.keptBefore.has(rec.fingerprint)) return
  core.keptBefore.delete(rec.fingerprint)
  await rec.kept
  await keeper.forget(rec.fingerprint).catch(() => {})
}
