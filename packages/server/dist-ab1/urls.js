import { TusError } from '@shuttle/protocol';
import { isValidUploadId } from './ids.js';
/** The request's path, before any framework stripped its mount prefix (Express sets originalUrl). */
export function requestPath(req) {
    const raw = req.originalUrl ?? req.url ?? '/';
    const q = raw.search(/[?#]/);
    return q === -1 ? raw : raw.slice(0, q);
}
/** Where a path falls: the creation endpoint, one upload, a malformed id under the prefix, or elsewhere. */
export function route(pathname, basePath) {
    if (pathname === basePath || pathname === `${basePath}/`)
        return { kind: 'collection' };
    if (!pathname.startsWith(`${basePath}/`))
        return { kind: 'outside' };
    const id = pathname.slice(basePath.length + 1);
    return isValidUploadId(id) ? { kind: 'upload', id } : { kind: 'invalid' };
}
/** The ids of partial-upload URLs; a URL that is not one of ours is a 400 naming it. */
export function urlsTo(urls, basePath) {
    return urls.map((url) => {
        const id = idFromUrl(url, basePath);
        if (id === undefined) {
            throw new TusError('ERR_CONCAT', 400, `Upload-Concat lists "${url.slice(0, 80)}", which is not an upload URL of this server`);
        }
        return id;
    });
}
/** The id an upload URL (absolute or path-only, as in Upload-Concat) points to, if it is ours. */
export function idFromUrl(url, basePath) {
    let pathname;
    try {
        pathname = new URL(url, 'http://placeholder.invalid').pathname;
    }
    catch {
        return undefined;
    }
    const r = route(pathname, basePath);
    return r.kind === 'upload' ? r.id : undefined;
}
const HOST_RE = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;
/** The URL clients use for an upload: absolute from Host (or forwarded headers), or path-only. */
export function uploadUrl(req, id, o) {
    const path = `${o.basePath}/${id}`;
    if (o.relativeLocation)
        return path;
    let proto = req.socket.encrypted ? 'https' : 'http';
    let host = req.headers.host;
    if (o.respectForwardedHeaders) {
        const forwarded = parseForwarded(header(req, 'forwarded'));
        host = forwarded.host ?? firstValue(header(req, 'x-forwarded-host')) ?? host;
        const p = forwarded.proto ?? firstValue(header(req, 'x-forwarded-proto'));
        if (p === 'http' || p === 'https')
            proto = p;
    }
    // A junk Host cannot be put into a header we send back; fall back to a path-only URL.
    if (host === undefined || !HOST_RE.test(host))
        return path;
    return `${proto}://${host}${path}`;
}
function header(req, name) {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
}
function firstValue(v) {
    const first = v?.split(',')[0]?.trim();
    return first === '' ? undefined : first;
}
function parseForwarded(v) {
    const out = {};
    const first = v?.split(',')[0];
    if (!first)
        return out;
    for (const pair of first.split(';')) {
        const [k, raw] = pair.split('=');
        const val = raw?.trim().replace(/^"|"$/g, '');
        if (!val)
            continue;
        const key = k?.trim().toLowerCase();
        if (key === 'host')
            out.host = val;
        if (key === 'proto')
            out.proto = val.toLowerCase();
    }
    return out;
}
//# sourceMappingURL=urls.js.map