import type { IncomingMessage } from 'node:http';
import type { Authorize } from './types.js';
/**
 * Asks an `authorize` hook about one request, the same way for the tus handler and the S3 signing
 * routes: `false` or a thrown non-HTTP error → 403 naming what was refused; a thrown HttpError
 * (TusError) → its own status and message (e.g. 404 to hide that an upload exists); anything
 * else allows it.
 */
export declare function checkAuthorized<R>(authorize: Authorize<R> | undefined, req: IncomingMessage, request: R, what: string): Promise<void>;
//# sourceMappingURL=authorize.d.ts.map