import { HttpError } from '@shuttle/protocol'
import type { Emitter } from './emitter.js'
import type { NormalizedOptions } from './options.js'
import type { Lease } from './types.js'
import { isExpired } from './upload-state.js'

// A crash leftover is at least this old before the sweep deletes it: creating an upload or
// linking a concatenation takes milliseconds, so nothing that old is still being written.
export const LEFTOVER_AGE_MS = 60 * 60 * 1000

/**
 * Deletes expired unfinished uploads, then what crashes left behind (store.removeLeftovers). Each
 * removal holds the upload's lock, so it never races a PATCH; an upload whose lock is busy is left
 * for the next sweep.
 */
export async function sweepExpired(
  options: Readonly<NormalizedOptions>,
  emit: Emitter['emit'],
): Promise<number> {
  const { store, locker, logger } = options
  // Several instances on one store: one sweeps per interval (a shared locker's claim), the others
  // skip. Slightly shorter than the interval, so the next timer finds the claim free.
  if (locker.claim && !(await locker.claim('expiry-sweep', Math.max(50, options.expirySweepInterval - 50)))) {
    return 0
  }
  const now = Date.now()
  let removed = 0
  // expireAfter is only accepted for stores that offer expiration, which means list() (options.ts).
  for await (const candidate of store.list?.() ?? []) {
    if (!isExpired(candidate, now)) continue
    // A PATCH may stream into it with its bytes still in memory (an S3 part fills first): not idle.
    if (await locker.busy?.(candidate.id).catch(() => true)) continue
    const lock = locker.newLock(candidate.id)
    let lease: Lease
    try {
      lease = await lock.lock(AbortSignal.timeout(options.lockTimeout), () => {})
    } catch {
      continue
    }
    try {
      const upload = await store.getUpload(candidate.id)
      if (!isExpired(upload, now)) continue
      lease.assertHeld()
      await store.remove(upload.id)
      removed++
      emit('upload-expired', { upload })
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) continue // removed meanwhile
      logger.error(`Could not remove expired upload ${candidate.id}`, err)
    } finally {
      await lock.unlock()
    }
  }
  await sweepLeftovers(options)
  return removed
}

/** Asks the store to remove what crashes left behind, an hour old or more. Logs, never throws. */
export async function sweepLeftovers(options: Readonly<NormalizedOptions>): Promise<void> {
  const { store, logger } = options
  try {
    const leftovers = (await store.removeLeftovers?.(LEFTOVER_AGE_MS)) ?? 0
    if (leftovers > 0) logger.info?.(`Removed ${leftovers} file(s) left behind by a crash`)
  } catch (err) {
    logger.error('Could not remove crash leftovers', err)
  }
}
