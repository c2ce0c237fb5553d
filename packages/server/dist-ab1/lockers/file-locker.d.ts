import type { Lock, Locker } from '../types.js';
export interface FileLockerOptions {
    /** The upload directory; lock files live in its `.locks` folder. */
    directory: string;
    /**
     * Milliseconds a lock stays valid without renewal. A holder renews every ttl/4 and stops
     * trusting its lock after 3/4 ttl without a renewal; another process breaks it as stale only
     * after watching it unrenewed for a whole ttl (at once when its holder's PID on this host is gone).
     * Default 10 000.
     */
    ttl?: number;
    /**
     * Milliseconds between checks for release requests and freed locks when file-system events do
     * not arrive (network mounts). Default 250.
     */
    pollInterval?: number;
}
/**
 * Locks that hold across processes sharing one upload directory (same machine, or a shared mount
 * whose exclusive creation is atomic): a lock is a file created with O_EXCL in `<directory>/.locks`,
 * naming its holder (host, pid, random token) and renewed while held. In one process, locks go
 * through a MemoryLocker first, so only one request per process touches the lock file.
 *
 * - A waiter asks the holder to release by touching `<id>.release`; the holder sees it through a
 *   file-system watch (or the poll) and its `requestRelease` runs, as with MemoryLocker.
 * - Order: first come, first served within a process; across processes, the newest request asks
 *   the holder to release and whoever creates the lock file first after it is freed wins.
 * - A crashed holder's lock is taken over at once when its PID on this host is gone, else after
 *   `ttl` without renewal (a stopped process); the holder then loses its lease (`lost` aborts) and
 *   the file store writes nothing more.
 *
 * @example
 * const locker = new FileLocker({ directory: './uploads' })
 * await locker.check() // refuses a directory where locks cannot work
 * createTusServer({ store: new FileStore({ directory: './uploads' }), locker })
 */
export declare class FileLocker implements Locker {
    #private;
    readonly directory: string;
    constructor(options: FileLockerOptions);
    /**
     * Checks that locks can work in the directory: it can be created and written, and exclusive
     * creation refuses a second file of the same name. Throws UploadError('ERR_INVALID_OPTIONS')
     * saying why not.
     */
    check(): Promise<void>;
    newLock(id: string): Lock;
}
/** Removes lock files untouched for `olderThanMs` (a live holder renews its own every few seconds). */
export declare function removeStaleLockFiles(directory: string, olderThanMs: number): Promise<number>;
//# sourceMappingURL=file-locker.d.ts.map