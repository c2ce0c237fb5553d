import type { Lease } from '../../types.js';
/**
 * Decides where a FileStore writes: on the main thread (a page-cache write of a few hundred KiB
 * takes tens of µs, and the bytes are still in this core's cache) or on libuv's thread pool (a
 * handoff per write: `bench/server-io.mjs` measured 1.9–2.6 CPU-s/GiB through fs.WriteStream
 * against 0.65–0.89 with writeSync, at 2–3× the throughput). nginx buffers request bodies to disk
 * with blocking writes the same way. The risk is a write that waits for the disk (dirty-page
 * throttling, network file systems): `slowCount` writes slower than `slowMs` within `windowMs`
 * move every write of this store to the thread pool for `coolDownMs`, so such a stall holds the
 * event loop up for at most a few writes per period.
 */
export interface WriteGuard {
    threadPool(): boolean;
    /** A main-thread write took `ms`. */
    took(ms: number): void;
}
export declare function createWriteGuard(mode?: 'auto' | 'thread-pool', { slowMs, slowCount, windowMs, coolDownMs, now }?: {
    slowMs?: number | undefined;
    slowCount?: number | undefined;
    windowMs?: number | undefined;
    coolDownMs?: number | undefined;
    now?: (() => number) | undefined;
}): WriteGuard;
/**
 * Appends buffers to an open file at increasing positions: synchronously while the guard allows,
 * else through `fs.writev` on the thread pool, batching what arrives during a write (at most
 * `highWaterMark` queued before `write()` asks the caller to wait for `onDrain`).
 */
export declare class FileWriter {
    #private;
    constructor(fd: number, position: number, o: {
        guard: WriteGuard;
        /** Checked before every write: a lost lock stops the writer (onError) before it writes again. */
        lease?: Lease | undefined;
        highWaterMark: number;
        onDrain(): void;
        onError(err: unknown): void;
    });
    /** Writes or queues `chunk`; false: stop feeding it until onDrain (or after an error). */
    write(chunk: Buffer): boolean;
    /** Resolves once every accepted byte is written; rejects with the first write error. */
    finished(): Promise<void>;
}
//# sourceMappingURL=file-writer.d.ts.map