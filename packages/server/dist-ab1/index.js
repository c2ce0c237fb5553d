export { HttpError, TusError } from '@shuttle/protocol';
export { checkAuthorized } from './authorize.js';
export { contentDisposition, safeContentType } from './content-disposition.js';
export { allowOrigin, corsHeaders } from './cors.js';
export { isValidUploadId, newUploadId } from './ids.js';
export { FileLocker } from './lockers/file-locker.js';
export { MemoryLocker } from './lockers/memory-locker.js';
export { describeError } from './reply.js';
export { createTusServer } from './server.js';
export { FileStore } from './stores/file/file-store.js';
//# sourceMappingURL=index.js.map