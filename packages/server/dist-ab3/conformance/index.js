export { describeDataStore } from './describe-data-store.js';
export { describeLocker } from './describe-locker.js';
export { waitUntil } from './runner.js';
//# sourceMappingURL=index.js.map