// Builds download headers from client-supplied metadata, which is untrusted.
const MIME_RE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;
/** The metadata's MIME type when it is a plain `type/subtype` token, else application/octet-stream. */
export function safeContentType(metadata) {
    const candidate = metadata.filetype ?? metadata.type ?? metadata.contentType;
    return candidate !== undefined && MIME_RE.test(candidate)
        ? candidate.toLowerCase()
        : 'application/octet-stream';
}
/**
 * `attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>` (RFC 6266). Quotes,
 * backslashes and control characters (CR/LF included) are dropped, so the value can neither
 * break out of the quoted string nor split the header.
 */
export function contentDisposition(filename) {
    const cleaned = (filename ?? '')
        .replace(/[\x00-\x1f\x7f"\\]/g, '')
        .replace(/[/]/g, '_')
        .trim()
        .slice(0, 255);
    if (cleaned === '')
        return 'attachment';
    const ascii = cleaned.replace(/[^\x20-\x7e]/g, '_');
    return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(cleaned)}`;
}
function encodeRfc5987(value) {
    return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
//# sourceMappingURL=content-disposition.js.map