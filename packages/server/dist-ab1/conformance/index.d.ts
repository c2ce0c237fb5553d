export { type DataStoreSubject, describeDataStore } from './describe-data-store.js';
export { describeLocker, type LockerSubject } from './describe-locker.js';
export { type TestRunner, waitUntil } from './runner.js';
//# sourceMappingURL=index.d.ts.map