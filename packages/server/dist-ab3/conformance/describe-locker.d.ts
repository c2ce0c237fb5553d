import type { Locker } from '../types.js';
import { type TestRunner } from './runner.js';
export interface LockerSubject {
    locker: Locker;
    /**
     * A second locker sharing the first one's backing (another process's view: a FileLocker on the
     * same directory, a Redis locker on the same server). Enables the cross-instance cases.
     */
    another?(): Locker | Promise<Locker>;
    /** Makes the holder of `id` lose its lock the way the backing can (a stale takeover, an expired key). */
    breakLock?(id: string): Promise<void>;
    /** How long after `breakLock` the holder may take to notice (default 5000 ms). */
    lossNoticeMs?: number;
    close?(): Promise<void>;
}
/**
 * The behaviour every Locker shares: exclusion, release requests reaching the holder, timeouts,
 * first-come order within one instance, leases that end on unlock and are lost when the backing
 * says so. Run it over each locker (tus's store tests, typed and runner-agnostic).
 *
 * @example
 * describeLocker('MemoryLocker', async () => ({ locker: new MemoryLocker() }), { describe, it })
 */
export declare function describeLocker(name: string, make: () => Promise<LockerSubject>, t: TestRunner): void;
//# sourceMappingURL=describe-locker.d.ts.map