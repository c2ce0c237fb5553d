import type { DataStore, Locker } from '../types.js';
import type { TestRunner } from './runner.js';
export interface DataStoreSubject {
    store: DataStore;
    /** The locker the store runs with (default: `store.defaultLocker()`, else a MemoryLocker). */
    locker?: Locker;
    /** Makes an upload's stored state unreadable, as a crash or a bad disk could. Enables the damaged-upload case. */
    damage?(id: string): Promise<void>;
    /**
     * Leaves behind what a crash in the middle of a creation leaves (bytes without info, a temp file),
     * already older than any grace period; resolves with a check that it is gone. Enables the leftover case.
     */
    leaveCrashLeftover?(): Promise<() => Promise<boolean>>;
    close?(): Promise<void>;
}
/**
 * The behaviour every DataStore shares: create, write at an offset (and refuse a stale one), keep
 * what arrived when a write is cut and resume from there, two writers under the store's locker
 * never mixing bytes, deferred length, concatenation, ranged reads, removal, the expiry listing,
 * damaged state and crash leftovers. Cases for an extension the store does not list are skipped
 * by the suite itself (they pass as not applicable).
 *
 * @example
 * import { describe, it } from 'vitest'
 * describeDataStore('FileStore', async () => ({ store: new FileStore({ directory: await tempDir() }) }), { describe, it })
 */
export declare function describeDataStore(name: string, make: () => Promise<DataStoreSubject>, t: TestRunner): void;
//# sourceMappingURL=describe-data-store.d.ts.map