import { HttpError } from '@shuttle/protocol';
/** The one answer for a full disk or quota, wherever it happens (creation, bytes, lock files). */
export function outOfSpace(cause) {
    return new HttpError('ERR_INTERNAL', 507, 'The server is out of storage space; retry later', { cause });
}
export function isOutOfSpace(err) {
    const code = err?.code;
    return code === 'ENOSPC' || code === 'EDQUOT';
}
//# sourceMappingURL=out-of-space.js.map