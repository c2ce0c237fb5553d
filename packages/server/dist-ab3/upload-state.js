import { TusError } from '@shuttle/protocol';
export function isFinished(upload) {
    return upload.size !== undefined && upload.offset === upload.size;
}
/**
 * When an unfinished upload expires: the window set at creation, counted from its last stored
 * byte, so an upload that keeps sending never expires mid-transfer; only idle ones do.
 */
export function expiresAtOf(upload) {
    if (upload.expiresAt === undefined)
        return undefined;
    return upload.expiresAt + Math.max(0, upload.lastWriteAt - upload.createdAt);
}
export function isExpired(upload, now = Date.now()) {
    const at = expiresAtOf(upload);
    return at !== undefined && !isFinished(upload) && at <= now;
}
export function assertNotExpired(upload) {
    if (isExpired(upload)) {
        throw new TusError('ERR_GONE', 410, `Upload ${upload.id} expired; create a new upload`);
    }
}
/** Upload-Expires for unfinished uploads that have an expiry (RFC 9110 date). */
export function expiresHeader(upload) {
    const at = expiresAtOf(upload);
    return at !== undefined && !isFinished(upload) ? { 'Upload-Expires': new Date(at).toUTCString() } : {};
}
//# sourceMappingURL=upload-state.js.map