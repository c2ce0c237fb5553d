import type { DataStore } from './types.js';
/** Checked once when a server is created, so a store never fails halfway through a request. */
export declare function checkStore(store: DataStore, expireAfter: number | undefined): void;
//# sourceMappingURL=store-check.d.ts.map