import type { Reply } from '../reply.js';
import type { HandlerContext } from './context.js';
/**
 * DELETE (termination): takes the lock (asking a running PATCH to stop), then removes everything.
 * A damaged upload (its stored state unreadable) is removed too: that is how it gets cleaned up.
 */
export declare function handleDelete(ctx: HandlerContext): Promise<Reply>;
//# sourceMappingURL=delete.d.ts.map