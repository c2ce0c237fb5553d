/** The metadata's MIME type when it is a plain `type/subtype` token, else application/octet-stream. */
export declare function safeContentType(metadata: Readonly<Record<string, string>>): string;
/**
 * `attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>` (RFC 6266). Quotes,
 * backslashes and control characters (CR/LF included) are dropped, so the value can neither
 * break out of the quoted string nor split the header.
 */
export declare function contentDisposition(filename: string | undefined): string;
//# sourceMappingURL=content-disposition.d.ts.map