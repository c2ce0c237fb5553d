import type { Reply } from '../reply.js';
import type { HandlerContext } from './context.js';
/**
 * HEAD: the upload's offset, length, metadata, concatenation and expiry. It reads under the lock,
 * asking a PATCH still streaming to stop first (as @tus/server and tusd do): a client HEADs to
 * resume, so its earlier request is dead, and the offset it learns must not grow a moment later
 * when that request's last buffered bytes land. HEADs that arrive while such a read is under way
 * share it instead of queueing for the lock one by one (2000 at once all answer at once).
 */
export declare function handleHead(ctx: HandlerContext): Promise<Reply>;
//# sourceMappingURL=head.d.ts.map