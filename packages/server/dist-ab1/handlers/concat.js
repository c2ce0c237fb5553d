import { HttpError, TusError } from '@shuttle/protocol';
import { checkAuthorized } from '../authorize.js';
import { newUploadId } from '../ids.js';
import { isExpired, isFinished } from '../upload-state.js';
import { urlsTo } from '../urls.js';
import { runCreateHook } from './create-hook.js';
import { finish } from './finish.js';
import { header } from './request-headers.js';
/** POST with `Upload-Concat: final;…`: a finished upload made of finished partial uploads. */
export async function createFinal(ctx, urls, metadata) {
    const { store, maxSize, basePath } = ctx.options;
    const ids = urlsTo(urls, basePath);
    const parts = await Promise.all(ids.map((id) => loadPart(ctx, id)));
    const total = parts.reduce((sum, p) => sum + p.offset, 0);
    if (maxSize !== undefined && total > maxSize) {
        throw new TusError('ERR_TOO_LARGE', 413, `The concatenated upload would be ${total} bytes; the maximum is ${maxSize}`);
    }
    const length = header(ctx.req, 'upload-length');
    if (length !== undefined && length !== String(total)) {
        throw new TusError('ERR_CONCAT', 400, `Upload-Length ${length.slice(0, 20)} differs from the partial uploads' total of ${total}`);
    }
    let upload = {
        id: newUploadId(),
        size: total,
        offset: 0,
        metadata,
        createdAt: Date.now(),
        lastWriteAt: Date.now(),
        expiresAt: undefined, // complete on creation: nothing to expire
        concat: { kind: 'final', parts: ids },
    };
    await checkAuthorized(ctx.options.authorize, ctx.req, { action: 'create', id: upload.id, upload }, 'create an upload');
    upload = await runCreateHook(ctx, upload);
    // Only stores that offer concatenation get here (handlePost checks the extension).
    upload = await store.concatenate(upload, ids);
    ctx.emit('upload-created', { upload });
    await finish(ctx, upload);
    return { status: 201, headers: { Location: ctx.urlFor(upload.id), 'Upload-Offset': String(upload.offset) } };
}
async function loadPart(ctx, id) {
    let part;
    try {
        part = await ctx.options.store.getUpload(id);
    }
    catch (err) {
        if (err instanceof HttpError && err.status === 404) {
            throw new TusError('ERR_CONCAT', 400, `Upload-Concat lists upload ${id}, which does not exist`);
        }
        throw err;
    }
    await checkAuthorized(ctx.options.authorize, ctx.req, { action: 'concatenate', id, upload: part }, `concatenate upload ${id}`);
    if (part.concat?.kind !== 'partial') {
        throw new TusError('ERR_CONCAT', 400, `Upload ${id} was not created with Upload-Concat: partial`);
    }
    if (isExpired(part))
        throw new TusError('ERR_CONCAT', 400, `Partial upload ${id} expired`);
    if (!isFinished(part)) {
        throw new TusError('ERR_CONCAT', 400, `Partial upload ${id} is not finished (${part.offset} of ${part.size ?? 'unknown'} bytes); finish it first`);
    }
    return part;
}
//# sourceMappingURL=concat.js.map