import type { TusAction, UploadInfo } from '../types.js';
import type { HandlerContext } from './context.js';
/**
 * Runs `authorize` for a request on an existing upload, before any lock is taken: a refused
 * request never asks a running PATCH to release. Resolves with the upload it read (undefined
 * without a hook: then nothing is read here). A damaged upload can still be deleted; the hook
 * then sees `upload: undefined`.
 */
export declare function authorizeUpload(ctx: HandlerContext, action: TusAction): Promise<UploadInfo | undefined>;
export declare function isDamaged(err: unknown): boolean;
//# sourceMappingURL=authorize-upload.d.ts.map