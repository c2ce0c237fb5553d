import { HttpError } from '@shuttle/protocol';
/** The one answer for a full disk or quota, wherever it happens (creation, bytes, lock files). */
export declare function outOfSpace(cause: unknown): HttpError;
export declare function isOutOfSpace(err: unknown): boolean;
//# sourceMappingURL=out-of-space.d.ts.map