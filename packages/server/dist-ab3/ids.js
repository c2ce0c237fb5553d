import { randomBytes } from 'node:crypto';
// Only URL-safe base64 characters, bounded length: nothing that could name another path
// ('.', '/', '%', NUL) ever reaches the file system.
const ID_RE = /^[A-Za-z0-9_-]{16,64}$/;
/** A new upload id: 144 random bits, base64url (24 characters). */
export function newUploadId() {
    return randomBytes(18).toString('base64url');
}
export function isValidUploadId(id) {
    return ID_RE.test(id);
}
//# sourceMappingURL=ids.js.map