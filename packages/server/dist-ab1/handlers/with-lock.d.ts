import type { Lease } from '../types.js';
import type { HandlerContext } from './context.js';
/**
 * Runs `fn` while holding the upload's lock, with the lease it must check before mutating; 423
 * when the lock is not free within lockTimeout (or `signal`, default the client's, aborts).
 */
export declare function withLock<T>(ctx: HandlerContext, requestRelease: () => void, fn: (lease: Lease) => Promise<T>, signal?: AbortSignal): Promise<T>;
//# sourceMappingURL=with-lock.d.ts.map