import { UploadError } from '@shuttle/protocol';
import { MemoryLocker } from './lockers/memory-locker.js';
import { checkStore } from './store-check.js';
import { FileStore } from './stores/file/file-store.js';
// Unexpected failures are the only thing the server reports on its own; 4xx are the client's business.
const defaultLogger = {
    error: (message, err) => console.error(`[shuttle/server] ${message}`, err ?? ''),
};
/** Validates and fills in defaults once. The caller's object is never mutated. */
export function normalizeOptions(o) {
    const path = o.path ?? '/files/';
    if (!path.startsWith('/') || /[?#\s]/.test(path)) {
        throw new UploadError('ERR_INVALID_OPTIONS', `'path' must be a URL path starting with '/', got "${path}"`);
    }
    if (o.store && o.directory !== undefined) {
        throw new UploadError('ERR_INVALID_OPTIONS', "Pass either 'store' or 'directory', not both");
    }
    if (!o.store && o.directory === undefined) {
        throw new UploadError('ERR_INVALID_OPTIONS', "Pass 'store' (e.g. new FileStore({ directory })) or 'directory'");
    }
    for (const key of [
        'maxSize',
        'expireAfter',
        'expirySweepInterval',
        'lockTimeout',
        'maxMetadataSize',
    ]) {
        const v = o[key];
        if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) {
            throw new UploadError('ERR_INVALID_OPTIONS', `'${key}' must be a non-negative integer, got ${v}`);
        }
    }
    const store = o.store ?? new FileStore({ directory: o.directory });
    checkStore(store, o.expireAfter);
    return {
        ...o,
        basePath: path.replace(/\/+$/, ''),
        store,
        // The store knows which locker keeps it safe (FileStore: one that works across processes).
        locker: o.locker ?? store.defaultLocker?.() ?? new MemoryLocker(),
        lockTimeout: o.lockTimeout ?? 3000,
        expirySweepInterval: o.expirySweepInterval ?? 60_000,
        relativeLocation: o.relativeLocation ?? false,
        respectForwardedHeaders: o.respectForwardedHeaders ?? false,
        logger: o.logger ?? defaultLogger,
    };
}
//# sourceMappingURL=options.js.map