import { isUploadError } from '@shuttle/protocol';
import { checkAuthorized } from '../authorize.js';
/**
 * Runs `authorize` for a request on an existing upload, before any lock is taken: a refused
 * request never asks a running PATCH to release. Resolves with the upload it read (undefined
 * without a hook: then nothing is read here). A damaged upload can still be deleted; the hook
 * then sees `upload: undefined`.
 */
export async function authorizeUpload(ctx, action) {
    const { authorize, store } = ctx.options;
    if (!authorize)
        return undefined;
    let upload;
    try {
        upload = await store.getUpload(ctx.id);
    }
    catch (err) {
        if (!(action === 'delete' && isDamaged(err)))
            throw err;
    }
    await checkAuthorized(authorize, ctx.req, { action, id: ctx.id, upload }, `${action} upload ${ctx.id}`);
    return upload;
}
export function isDamaged(err) {
    return isUploadError(err) && err.code === 'ERR_DAMAGED';
}
//# sourceMappingURL=authorize-upload.js.map