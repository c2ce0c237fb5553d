const RANGE_RE = /^bytes=(\d{0,16})-(\d{0,16})$/;
/**
 * Parses a single-range `Range` header (RFC 9110 14.2). Returns undefined to serve the whole body
 * (no header, malformed or multi-range, which the RFC lets a server ignore) and 'unsatisfiable'
 * for a range that lies past the end.
 */
export function parseRange(value, size) {
    if (value === undefined)
        return undefined;
    const m = RANGE_RE.exec(value.trim());
    if (!m)
        return undefined;
    const [, first = '', last = ''] = m;
    if (first === '' && last === '')
        return undefined;
    if (first === '') {
        // Suffix range: the last N bytes.
        const n = Number(last);
        if (n === 0)
            return 'unsatisfiable';
        return { start: Math.max(0, size - n), end: size };
    }
    const start = Number(first);
    const end = last === '' ? size : Math.min(Number(last) + 1, size);
    if (last !== '' && Number(last) < start)
        return undefined;
    if (start >= size)
        return 'unsatisfiable';
    return { start, end };
}
//# sourceMappingURL=range.js.map