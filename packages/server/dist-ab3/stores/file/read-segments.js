import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
/**
 * Bytes [start, end) of the concatenation of `segments`, as one byte stream that reads each
 * overlapping file in turn. Destroying the stream closes the file being read.
 */
export function readSegments(segments, start, end, highWaterMark) {
    async function* bytes() {
        let at = 0;
        for (const s of segments) {
            const from = Math.max(start, at);
            const to = Math.min(end, at + s.length);
            if (from < to) {
                for await (const chunk of createReadStream(s.path, {
                    start: from - at,
                    end: to - at - 1,
                    highWaterMark,
                }))
                    yield chunk;
            }
            at += s.length;
            if (at >= end)
                return;
        }
    }
    return Readable.from(bytes(), { objectMode: false, highWaterMark });
}
//# sourceMappingURL=read-segments.js.map