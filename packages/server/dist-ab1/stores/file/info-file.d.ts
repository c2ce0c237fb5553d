import type { NewUpload } from '../../types.js';
/** An upload as its info file records it. */
export interface StoredInfo extends NewUpload {
    readonly segments: readonly number[] | undefined;
}
/** Writes the info via a temp file, fsync and rename, so a crash leaves the old or the new file. */
export declare function writeInfo(path: string, upload: NewUpload, segments?: readonly number[]): Promise<void>;
/** An info file that is there but is not a valid one (not JSON is a SyntaxError instead). */
export declare class MalformedInfoError extends Error {
    name: string;
}
/** Reads and validates an info file; throws on a missing (ENOENT) or malformed one. */
export declare function readInfo(path: string): Promise<StoredInfo>;
//# sourceMappingURL=info-file.d.ts.map