import { TusError } from '@shuttle/protocol'
import type { Emitter } from './emitter.js'
import { isExpired } from './handlers/common.js'
import type { NormalizedOptions } from './options.js'

/**
 * Deletes expired unfinished uploads. Each removal holds the upload's lock, so it never races a
 * PATCH; an upload whose lock is busy is left for the next sweep.
 */
export async function sweepExpired(
  options: Readonly<NormalizedOptions>,
  emit: Emitter['emit'],
): Promise<number> {
  const { store, locker, logger } = options
  const now = Date.now()
  let removed = 0
  for await (const candidate of store.list()) {
    if (!isExpired(candidate, now)) continue
    const lock = locker.newLock(candidate.id)
    try {
      await lock.lock(AbortSignal.timeout(options.lockTimeout), () => {})
    } catch {
      continue
    }
    try {
      const upload = await store.getUpload(candidate.id)
      if (!isExpired(upload, now)) continue
      await store.remove(upload.id)
      removed++
      emit('upload-expired', { upload })
    } catch (err) {
      if (err instanceof TusError && err.status === 404) continue // removed meanwhile
      logger.error(`Could not remove expired upload ${candidate.id}`, err)
    } finally {
      await lock.unlock()
    }
  }
  return removed
}
