import type { UploadInfo } from '../types.js';
import type { HandlerContext } from './context.js';
/** onUploadCreate may reject (a thrown TusError is sent as is) or replace the metadata. */
export declare function runCreateHook(ctx: HandlerContext, upload: UploadInfo): Promise<UploadInfo>;
//# sourceMappingURL=create-hook.d.ts.map