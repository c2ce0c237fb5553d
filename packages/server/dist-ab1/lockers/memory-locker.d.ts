import type { Lock, Locker } from '../types.js';
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
export declare class MemoryLocker implements Locker {
    #private;
    newLock(id: string): Lock;
}
//# sourceMappingURL=memory-locker.d.ts.map