import { Readable } from 'node:stream';
import type { ByteSource, DataStore, Locker, NewUpload, StoreExtension, UploadInfo, WriteOptions } from '../../types.js';
export interface FileStoreOptions {
    /**
     * Created if missing. Holds `<id>` (bytes) and `<id>.json` (info) per upload; a concatenated
     * upload holds its parts' files, hard-linked, as `<id>.0`, `<id>.1`, … instead of `<id>`.
     */
    directory: string;
    /**
     * Where bytes are written: 'auto' (default) on the main thread while writes take microseconds (the
     * page cache), moving to the thread pool for 30 s after three take over 20 ms within 2 s; 'thread-pool'
     * always (network file systems, disks slower than the uploads).
     */
    writes?: 'auto' | 'thread-pool';
}
/**
 * Uploads on the local disk. The offset is the data file's size, so after a crash (even
 * kill -9) HEAD reports exactly the bytes on disk. Checksummed chunks go to `<id>.chunk` first
 * and are appended only once verified, so an unverified byte never counts toward the offset.
 *
 * @example
 * createTusServer({ store: new FileStore({ directory: './uploads' }) })
 */
export declare class FileStore implements DataStore {
    #private;
    readonly extensions: ReadonlySet<StoreExtension>;
    readonly directory: string;
    constructor(options: FileStoreOptions);
    create(upload: NewUpload): Promise<UploadInfo>;
    /** Locks across every process that uses this directory (see FileLocker). */
    defaultLocker(): Locker;
    getUpload(id: string): Promise<UploadInfo>;
    write(id: string, offset: number, source: ByteSource, options: WriteOptions): Promise<number>;
    declareLength(id: string, size: number): Promise<UploadInfo>;
    /**
     * Links each finished part's data file as one segment of the new upload: O(parts), no byte is
     * copied, and deleting a part later leaves the final upload whole (the link keeps the inode). The
     * parts are finished, so nothing writes to those files again. Where the file system has no hard
     * links, the bytes are copied into one data file instead.
     */
    concatenate(upload: NewUpload, partIds: readonly string[]): Promise<UploadInfo>;
    read(id: string, range?: {
        start: number;
        end: number;
    }): Promise<Readable>;
    remove(id: string): Promise<void>;
    list(): AsyncIterable<UploadInfo>;
    /**
     * Files a crash leaves that no upload owns, untouched for `olderThanMs`: a data file or linked
     * segments whose info file was never written (killed between the two), an info temp file
     * (killed before its rename), a checksummed chunk (killed mid-verify; every verified write starts
     * a fresh one); an upload whose info file is damaged (empty, cut, not JSON, invalid); lock files
     * of the FileLocker nobody renewed. Anything else in the directory is not ours and stays.
     */
    removeLeftovers(olderThanMs: number): Promise<number>;
}
//# sourceMappingURL=file-store.d.ts.map