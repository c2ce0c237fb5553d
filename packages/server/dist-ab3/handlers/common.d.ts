import type { IncomingMessage } from 'node:http';
import { type ChecksumAlgorithm } from '@shuttle/protocol';
import type { UploadInfo } from '../types.js';
import type { HandlerContext } from './context.js';
/** One header value; Node joins repeated headers with ', ', which the parsers then reject. */
export declare function header(req: IncomingMessage, name: string): string | undefined;
export declare function isOffsetStream(req: IncomingMessage): boolean;
/** Content-Length when sent, else undefined (chunked transfer encoding). */
export declare function contentLength(req: IncomingMessage): number | undefined;
/** Whether the request carries body bytes (or might: chunked). */
export declare function hasBody(req: IncomingMessage): boolean;
export declare function parseUploadChecksum(req: IncomingMessage): {
    algorithm: ChecksumAlgorithm;
    digest: Uint8Array;
} | undefined;
export declare function isFinished(upload: UploadInfo): boolean;
/**
 * When an unfinished upload expires: the window set at creation, counted from its last stored
 * byte, so an upload that keeps sending never expires mid-transfer; only idle ones do.
 */
export declare function expiresAtOf(upload: UploadInfo): number | undefined;
export declare function isExpired(upload: UploadInfo, now?: number): boolean;
export declare function assertNotExpired(upload: UploadInfo): void;
/** Upload-Expires for unfinished uploads that have an expiry (RFC 9110 date). */
export declare function expiresHeader(upload: UploadInfo): Record<string, string>;
/** Runs `fn` while holding the upload's lock; 423 when the lock is not free within lockTimeout. */
export declare function withLock<T>(ctx: HandlerContext, requestRelease: () => void, fn: () => Promise<T>): Promise<T>;
/** Runs the finish hook and event once the last byte is stored. */
export declare function finish(ctx: HandlerContext, upload: UploadInfo): Promise<void>;
//# sourceMappingURL=common.d.ts.map