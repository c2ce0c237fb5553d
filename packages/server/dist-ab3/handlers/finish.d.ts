import type { UploadInfo } from '../types.js';
import type { HandlerContext } from './context.js';
/** Runs the finish hook and event once the last byte is stored. */
export declare function finish(ctx: HandlerContext, upload: UploadInfo): Promise<void>;
//# sourceMappingURL=finish.d.ts.map