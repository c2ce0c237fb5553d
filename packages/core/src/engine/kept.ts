import type { EngineCore } from './core.js'
import type { FileRecord } from './file-record.js'

/** The upload is over (completed or canceled): the keeper's handle, copy or ghost goes. */
export async function forgetKept(core: EngineCore, rec: FileRecord): Promise<void> {
  const keeper = core.options.fileKeeper
  if (!keeper || rec.fingerprint === undefined) return
  await rec.kept
  await keeper.forget(rec.fingerprint).catch(() => {})
}
