import type { Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Lease } from '../../types.js';
import { type WriteGuard } from './file-writer.js';
export interface StreamToFileOptions {
    path: string;
    /** 'r+' to write into an existing file at `start`, 'w' to start a fresh one. */
    flags: 'r+' | 'w';
    start: number;
    /** When given, the file must be exactly this long when opened (else 409: another writer moved it). */
    expectSize?: number;
    /** Checked before every write: once the lock is lost, nothing more is written. */
    lease?: Lease;
    /** Most bytes to take from `body`; the rest is left unread. */
    maxBytes: number | undefined;
    signal: AbortSignal;
    /** Main thread or thread pool (see file-writer.ts). */
    guard: WriteGuard;
    hash?: Hash;
    onBytes?: (written: number) => void;
}
export interface StreamToFileResult {
    written: number;
    /** The body carried more than `maxBytes`. */
    overflow: boolean;
    /** The body ended normally (not aborted, not cut by the signal or by `maxBytes`). */
    ended: boolean;
}
/**
 * Copies `body` into a file with backpressure and no intermediate buffering. When the client
 * disconnects or `signal` aborts, what arrived is still written before this resolves: a later
 * HEAD reports exactly those bytes.
 */
export declare function streamToFile(body: Readable, o: StreamToFileOptions): Promise<StreamToFileResult>;
//# sourceMappingURL=stream-to-file.d.ts.map