import type { Reply } from '../reply.js';
import type { HandlerContext } from './context.js';
/**
 * GET: download a finished upload, whole or one byte range. Unfinished ones answer 409: their
 * bytes are not final yet, and 404 would wrongly say the upload does not exist.
 */
export declare function handleGet(ctx: HandlerContext): Promise<Reply>;
//# sourceMappingURL=get.d.ts.map