import { HttpError } from '@shuttle/protocol';
/**
 * Asks an `authorize` hook about one request, the same way for the tus handler and the S3 signing
 * routes: `false` or a thrown non-HTTP error → 403 naming what was refused; a thrown HttpError
 * (TusError) → its own status and message (e.g. 404 to hide that an upload exists); anything
 * else allows it.
 */
export async function checkAuthorized(authorize, req, request, what) {
    if (!authorize)
        return;
    let allowed;
    try {
        allowed = await authorize(req, request);
    }
    catch (err) {
        if (err instanceof HttpError)
            throw err;
        throw new HttpError('ERR_FORBIDDEN', 403, `Not allowed to ${what}`, { cause: err });
    }
    if (allowed === false)
        throw new HttpError('ERR_FORBIDDEN', 403, `Not allowed to ${what}`);
}
//# sourceMappingURL=authorize.js.map