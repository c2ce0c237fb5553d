/** Runs the finish hook and event once the last byte is stored. */
export async function finish(ctx, upload) {
    await ctx.options.onUploadFinish?.(ctx.req, upload);
    ctx.emit('upload-finished', { upload });
}
//# sourceMappingURL=finish.js.map