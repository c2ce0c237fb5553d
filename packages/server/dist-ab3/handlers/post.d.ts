import type { Reply } from '../reply.js';
import type { HandlerContext } from './context.js';
/** POST (creation, creation-with-upload, creation-defer-length, concatenation). */
export declare function handlePost(ctx: HandlerContext): Promise<Reply>;
//# sourceMappingURL=post.d.ts.map