import type { UploadInfo } from './types.js';
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
//# sourceMappingURL=upload-state.d.ts.map