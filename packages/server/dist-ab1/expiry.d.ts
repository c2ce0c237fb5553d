import type { Emitter } from './emitter.js';
import type { NormalizedOptions } from './options.js';
export declare const LEFTOVER_AGE_MS: number;
/**
 * Deletes expired unfinished uploads, then what crashes left behind (store.removeLeftovers). Each
 * removal holds the upload's lock, so it never races a PATCH; an upload whose lock is busy is left
 * for the next sweep.
 */
export declare function sweepExpired(options: Readonly<NormalizedOptions>, emit: Emitter['emit']): Promise<number>;
/** Asks the store to remove what crashes left behind, an hour old or more. Logs, never throws. */
export declare function sweepLeftovers(options: Readonly<NormalizedOptions>): Promise<void>;
//# sourceMappingURL=expiry.d.ts.map