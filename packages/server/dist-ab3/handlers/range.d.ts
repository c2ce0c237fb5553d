/** A satisfiable byte range [start, end) of a `size`-byte body. */
export type ByteRange = {
    start: number;
    end: number;
};
/**
 * Parses a single-range `Range` header (RFC 9110 14.2). Returns undefined to serve the whole body
 * (no header, malformed or multi-range, which the RFC lets a server ignore) and 'unsatisfiable'
 * for a range that lies past the end.
 */
export declare function parseRange(value: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined;
//# sourceMappingURL=range.d.ts.map