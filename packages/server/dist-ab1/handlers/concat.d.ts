import { type UploadMetadata } from '@shuttle/protocol';
import type { Reply } from '../reply.js';
import type { HandlerContext } from './context.js';
/** POST with `Upload-Concat: final;…`: a finished upload made of finished partial uploads. */
export declare function createFinal(ctx: HandlerContext, urls: readonly string[], metadata: UploadMetadata): Promise<Reply>;
//# sourceMappingURL=concat.d.ts.map