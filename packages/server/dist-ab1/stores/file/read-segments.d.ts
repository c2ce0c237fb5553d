import { Readable } from 'node:stream';
export interface Segment {
    path: string;
    length: number;
}
/**
 * Bytes [start, end) of the concatenation of `segments`, as one byte stream that reads each
 * overlapping file in turn. Destroying the stream closes the file being read.
 */
export declare function readSegments(segments: readonly Segment[], start: number, end: number, highWaterMark: number): Readable;
//# sourceMappingURL=read-segments.d.ts.map