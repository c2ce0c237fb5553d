import { encodeMetadata } from '@shuttle/protocol';
/** onUploadCreate may reject (a thrown TusError is sent as is) or replace the metadata. */
export async function runCreateHook(ctx, upload) {
    const hook = ctx.options.onUploadCreate;
    if (!hook)
        return upload;
    const result = await hook(ctx.req, upload);
    const metadata = result ? result.metadata : undefined;
    if (metadata === undefined)
        return upload;
    if (typeof metadata !== 'object' ||
        metadata === null ||
        !Object.values(metadata).every((v) => typeof v === 'string')) {
        throw new Error('onUploadCreate returned metadata that is not a Record<string, string>');
    }
    // Keys must survive the trip back out in HEAD's Upload-Metadata; a bad key is the hook's bug (500).
    try {
        encodeMetadata(metadata);
    }
    catch (err) {
        throw new Error('onUploadCreate returned metadata with a key tus cannot carry', { cause: err });
    }
    return { ...upload, metadata: { ...metadata } };
}
//# sourceMappingURL=create-hook.js.map