import type { Reply } from '../reply.js';
import type { HandlerContext } from './context.js';
/**
 * PATCH: append the body at Upload-Offset. In order: headers are checked (before any lock or
 * byte), `authorize` decides, the lock is taken (asking an older request on this upload to stop),
 * the upload is re-read under the lock, a deferred length is declared, the offset is compared, and
 * the body is streamed into the store.
 */
export declare function handlePatch(ctx: HandlerContext): Promise<Reply>;
//# sourceMappingURL=patch.d.ts.map