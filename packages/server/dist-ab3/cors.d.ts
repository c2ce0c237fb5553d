import type { IncomingMessage } from 'node:http';
/**
 * CORS headers for a request. Without `corsOrigins` the server sends none (same-origin use or a
 * proxy that handles CORS). An allowed Origin is echoed, never '*', so credentials keep working.
 */
export declare function corsHeaders(req: IncomingMessage, allowed: '*' | readonly string[] | undefined, preflight: boolean): Record<string, string>;
/**
 * The part every CORS answer shares: nothing when CORS is off; otherwise `Vary: Origin`, plus the
 * request's Origin echoed back (never '*', so credentials keep working) when it is allowed.
 */
export declare function allowOrigin(req: IncomingMessage, allowed: '*' | readonly string[] | undefined): Record<string, string>;
//# sourceMappingURL=cors.d.ts.map