import type { DataStore, Locker, Logger, ServerOptions } from './types.js';
export interface NormalizedOptions extends Omit<ServerOptions, 'store' | 'directory' | 'locker' | 'logger'> {
    /** The prefix without its trailing slash, e.g. '/files'. */
    readonly basePath: string;
    readonly store: DataStore;
    readonly locker: Locker;
    readonly lockTimeout: number;
    readonly expirySweepInterval: number;
    readonly relativeLocation: boolean;
    readonly respectForwardedHeaders: boolean;
    readonly logger: Logger;
}
/** Validates and fills in defaults once. The caller's object is never mutated. */
export declare function normalizeOptions(o: ServerOptions): Readonly<NormalizedOptions>;
//# sourceMappingURL=options.d.ts.map