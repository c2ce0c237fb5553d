import type { IncomingMessage } from 'node:http';
import { type ChecksumAlgorithm } from '@shuttle/protocol';
/** One header value; Node joins repeated headers with ', ', which the parsers then reject. */
export declare function header(req: IncomingMessage, name: string): string | undefined;
export declare function isOffsetStream(req: IncomingMessage): boolean;
/** Content-Length when sent, else undefined (chunked transfer encoding). */
export declare function contentLength(req: IncomingMessage): number | undefined;
/** Whether the request carries body bytes (or might: chunked). */
export declare function hasBody(req: IncomingMessage): boolean;
export declare function parseUploadChecksum(req: IncomingMessage): {
    algorithm: ChecksumAlgorithm;
    digest: Uint8Array;
} | undefined;
//# sourceMappingURL=request-headers.d.ts.map