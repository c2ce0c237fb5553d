import { UploadError } from '@shuttle/protocol';
import { createLease } from './lease.js';
/**
 * In-process locks, one per upload id. A newcomer asks the holder to release (the holder's
 * request stops reading and keeps the bytes it stored), then gets the lock in arrival order.
 * Good for one server process; several processes need a shared locker (FileLocker on one
 * directory, or a Redis locker).
 *
 * @example
 * const lock = new MemoryLocker().newLock(id)
 * const lease = await lock.lock(AbortSignal.timeout(3000), () => abortMyWrite())
 * lease.assertHeld() // before each change to the upload
 * try { … } finally { await lock.unlock() }
 */
export class MemoryLocker {
    #entries = new Map();
    newLock(id) {
        let held = false;
        let current;
        return {
            lock: (signal, requestRelease) => {
                if (held)
                    return Promise.reject(new UploadError('ERR_INVALID_OPTIONS', 'This lock is already held'));
                return this.#acquire(id, signal, requestRelease).then(() => {
                    held = true;
                    // One process: nobody else can take this lock, so the lease is only lost by unlocking.
                    current = createLease(id);
                    return current.lease;
                });
            },
            unlock: async () => {
                if (!held)
                    return;
                held = false;
                current?.lose('unlocked');
                this.#release(id);
            },
        };
    }
    #acquire(id, signal, requestRelease) {
        if (signal.aborted)
            return Promise.reject(timeoutError(id, signal));
        const entry = this.#entries.get(id);
        if (!entry) {
            this.#entries.set(id, { holderRelease: requestRelease, waiters: [] });
            return Promise.resolve();
        }
        return new Promise((resolve, reject) => {
            const waiter = {
                requestRelease,
                grant: () => {
                    signal.removeEventListener('abort', onAbort);
                    resolve();
                },
            };
            const onAbort = () => {
                const i = entry.waiters.indexOf(waiter);
                if (i !== -1)
                    entry.waiters.splice(i, 1);
                reject(timeoutError(id, signal));
            };
            signal.addEventListener('abort', onAbort, { once: true });
            entry.waiters.push(waiter);
            callSafely(entry.holderRelease);
        });
    }
    #release(id) {
        const entry = this.#entries.get(id);
        if (!entry)
            return;
        const next = entry.waiters.shift();
        if (!next) {
            this.#entries.delete(id);
            return;
        }
        entry.holderRelease = next.requestRelease;
        next.grant();
        // Someone else is already waiting: the newest request wins, so ask the new holder too.
        if (entry.waiters.length > 0)
            callSafely(next.requestRelease);
    }
}
function callSafely(fn) {
    try {
        fn();
    }
    catch {
        // A holder's release callback must not break the waiter's acquisition.
    }
}
function timeoutError(id, signal) {
    return new UploadError('ERR_LOCK_TIMEOUT', `Timed out waiting for the lock on upload ${id}`, {
        cause: signal.reason,
        retryable: true,
    });
}
//# sourceMappingURL=memory-locker.js.map