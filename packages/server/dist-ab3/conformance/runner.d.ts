/**
 * The test functions a conformance suite needs, so the suites run under any runner that has
 * `describe`/`it` (vitest, jest, mocha, node:test). Assertions use `node:assert`.
 *
 * @example
 * import { describe, it } from 'vitest'
 * describeDataStore('MyStore', () => makeSubject(), { describe, it })
 */
export interface TestRunner {
    describe(name: string, fn: () => void): void;
    it(name: string, fn: () => Promise<void>, timeout?: number): void;
}
/** Polls `cond` until it holds or `ms` pass; a failure names what was awaited. */
export declare function waitUntil(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void>;
//# sourceMappingURL=runner.d.ts.map