import { isUploadError, TusError } from '@shuttle/protocol'
import type { Lease } from '../types.js'
import type { HandlerContext } from './context.js'

/**
 * Runs `fn` while holding the upload's lock, with the lease it must check before mutating; 423
 * when the lock is not free within lockTimeout (or `signal`, default the client's, aborts).
 */
export async function withLock<T>(
  ctx: HandlerContext,
  requestRelease: () => void,
  fn: (lease: Lease) => Promise<T>,
  signal: AbortSignal = ctx.signal,
): Promise<T> {
  const lock = ctx.options.locker.newLock(ctx.id)
  let lease: Lease
  const waiting = AbortSignal.any([signal, ctx.shutdown, AbortSignal.timeout(ctx.options.lockTimeout)])
  try {
    lease = await lock.lock(waiting, requestRelease)
  } catch (err) {
    if (ctx.shutdown.aborted) throw shuttingDown(ctx.id, err)
    // The locker's own trouble (e.g. no space for a lock file) keeps its status; only waiting is 423.
    const waitedOut = waiting.aborted || (isUploadError(err) && err.code === 'ERR_LOCK_TIMEOUT')
    if (!waitedOut) throw err
    throw new TusError(
      'ERR_LOCKED',
      423,
      `Upload ${ctx.id} is busy with another request; retry in a moment`,
      { cause: err },
    )
  }
  try {
    return await fn(lease)
  } finally {
    await lock.unlock()
  }
}

/** 503 for a request that was waiting for a lock when the server began to drain. */
function shuttingDown(id: string, cause: unknown): TusError {
  return new TusError(
    'ERR_SHUTTING_DOWN',
    503,
    `This server is shutting down; nothing was changed on upload ${id}. Retry: another instance will answer.`,
    { cause, retryable: true, headers: { 'Retry-After': '1' } },
  )
}
