import { isUploadError, TusError } from '@shuttle/protocol';
/**
 * Runs `fn` while holding the upload's lock, with the lease it must check before mutating; 423
 * when the lock is not free within lockTimeout (or `signal`, default the client's, aborts).
 */
export async function withLock(ctx, requestRelease, fn, signal = ctx.signal) {
    const lock = ctx.options.locker.newLock(ctx.id);
    let lease;
    const waiting = AbortSignal.any([signal, AbortSignal.timeout(ctx.options.lockTimeout)]);
    try {
        lease = await lock.lock(waiting, requestRelease);
    }
    catch (err) {
        // The locker's own trouble (e.g. no space for a lock file) keeps its status; only waiting is 423.
        const waitedOut = waiting.aborted || (isUploadError(err) && err.code === 'ERR_LOCK_TIMEOUT');
        if (!waitedOut)
            throw err;
        throw new TusError('ERR_LOCKED', 423, `Upload ${ctx.id} is busy with another request; retry in a moment`, { cause: err });
    }
    try {
        return await fn(lease);
    }
    finally {
        await lock.unlock();
    }
}
//# sourceMappingURL=with-lock.js.map