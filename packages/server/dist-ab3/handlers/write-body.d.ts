import type { Lease, UploadInfo } from '../types.js';
import type { HandlerContext } from './context.js';
/** Bytes this upload may still take: up to its length, or up to maxSize while deferred. */
export declare function remainingBytes(ctx: HandlerContext, upload: UploadInfo): number | undefined;
/** Rejects, before a byte is written, a body whose Content-Length goes past the upload's length. */
export declare function assertFits(ctx: HandlerContext, upload: UploadInfo): void;
/**
 * Streams the request body into the store at the upload's offset (PATCH and
 * creation-with-upload), emits progress, and runs the finish hook when the upload completes.
 */
export declare function writeBody(ctx: HandlerContext, upload: UploadInfo, releaseSignal: AbortSignal, lease: Lease): Promise<UploadInfo>;
//# sourceMappingURL=write-body.d.ts.map