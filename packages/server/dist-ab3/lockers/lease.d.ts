import type { Lease } from '../types.js';
/**
 * A lease that ends when `lose()` is called or, when `validFor` is given, once `renewed()` has not
 * been called for that long: a holder whose renewals stopped (a blocked or stopped process) must
 * not trust its lock even before its renewal timer gets to run and notice.
 */
export declare function createLease(id: string, validFor?: number, now?: () => number): {
    lease: Lease;
    /** The lock was confirmed held just now. */
    renewed(): void;
    lose(why: string): void;
};
//# sourceMappingURL=lease.d.ts.map