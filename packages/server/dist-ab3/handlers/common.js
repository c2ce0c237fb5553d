import { isChecksumAlgorithm, PATCH_CONTENT_TYPE, parseChecksumHeader, parseNonNegativeInt, TusError, } from '@shuttle/protocol';
/** One header value; Node joins repeated headers with ', ', which the parsers then reject. */
export function header(req, name) {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
}
export function isOffsetStream(req) {
    const type = header(req, 'content-type')?.split(';')[0]?.trim().toLowerCase();
    return type === PATCH_CONTENT_TYPE;
}
/** Content-Length when sent, else undefined (chunked transfer encoding). */
export function contentLength(req) {
    const v = header(req, 'content-length');
    return v === undefined ? undefined : parseNonNegativeInt(v, 'Content-Length');
}
/** Whether the request carries body bytes (or might: chunked). */
export function hasBody(req) {
    const length = contentLength(req);
    return length === undefined ? header(req, 'transfer-encoding') !== undefined : length > 0;
}
export function parseUploadChecksum(req) {
    const v = header(req, 'upload-checksum');
    if (v === undefined)
        return undefined;
    const { algorithm, digest } = parseChecksumHeader(v);
    if (!isChecksumAlgorithm(algorithm)) {
        throw new TusError('ERR_CHECKSUM_UNSUPPORTED', 400, `Upload-Checksum algorithm "${algorithm.slice(0, 20)}" is not supported; use sha1, sha256 or md5`);
    }
    return { algorithm, digest };
}
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
/** Runs `fn` while holding the upload's lock; 423 when the lock is not free within lockTimeout. */
export async function withLock(ctx, requestRelease, fn) {
    const lock = ctx.options.locker.newLock(ctx.id);
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.options.lockTimeout)]);
    try {
        await lock.lock(signal, requestRelease);
    }
    catch (err) {
        throw new TusError('ERR_LOCKED', 423, `Upload ${ctx.id} is busy with another request; retry in a moment`, { cause: err });
    }
    try {
        return await fn();
    }
    finally {
        await lock.unlock();
    }
}
/** Runs the finish hook and event once the last byte is stored. */
export async function finish(ctx, upload) {
    await ctx.options.onUploadFinish?.(ctx.req, upload);
    ctx.emit('upload-finished', { upload });
}
//# sourceMappingURL=common.js.map