import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ByteSource, Logger } from './types.js';
/** What a handler answers; the server adds Tus-Resumable and CORS headers and sends it. */
export interface Reply {
    status: number;
    headers?: Record<string, string>;
    /** A string is sent as text/plain; a byte stream is piped (GET downloads). */
    body?: string | ByteSource;
}
/** What an error becomes on the wire, before each route formats the body (text for tus, JSON for S3). */
export interface ErrorAnswer {
    status: number;
    headers: Record<string, string>;
    message: string;
}
/**
 * The one place errors become answers, for the tus handler and the S3 signing routes alike.
 * HttpErrors (TusError included) keep their status, headers and message (5xx ones are logged);
 * a lock timeout is 423; anything unexpected is logged and becomes a generic 500, so internals
 * never leak to clients.
 */
export declare function describeError(err: unknown, req: IncomingMessage, logger: Logger): ErrorAnswer;
/** The tus handler's error reply: a text body. */
export declare function toReply(err: unknown, req: IncomingMessage, logger: Logger): Reply;
/** Sends a reply; a request body nobody read is drained around it (see answerOverUnreadBody). */
export declare function send(req: IncomingMessage, res: ServerResponse, reply: Reply, extraHeaders: Record<string, string>): void;
//# sourceMappingURL=reply.d.ts.map