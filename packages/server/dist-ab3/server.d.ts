import type { ServerOptions, TusServer } from './types.js';
/**
 * Creates a tus 1.0.0 server as a Node request handler.
 *
 * @example
 * const tus = createTusServer({ path: '/files/', directory: './uploads' })
 * http.createServer(tus.handle).listen(1080, '127.0.0.1')
 */
export declare function createTusServer(serverOptions: ServerOptions): TusServer;
//# sourceMappingURL=server.d.ts.map