import assert from 'node:assert/strict';
import { isUploadError } from '@shuttle/protocol';
import { newUploadId } from '../ids.js';
import { waitUntil } from './runner.js';
const id = newUploadId;
const never = () => new AbortController().signal;
const noop = () => { };
/**
 * The behaviour every Locker shares: exclusion, release requests reaching the holder, timeouts,
 * first-come order within one instance, leases that end on unlock and are lost when the backing
 * says so. Run it over each locker (tus's store tests, typed and runner-agnostic).
 *
 * @example
 * describeLocker('MemoryLocker', async () => ({ locker: new MemoryLocker() }), { describe, it })
 */
export function describeLocker(name, make, t) {
    const run = (title, fn, timeout = 20_000) => t.it(title, async () => {
        const subject = await make();
        try {
            await fn(subject);
        }
        finally {
            await subject.close?.();
        }
    }, timeout);
    t.describe(`${name} (Locker conformance)`, () => {
        run('a second lock on the same id waits until the first unlocks', async ({ locker }) => {
            const key = id();
            const a = locker.newLock(key);
            const b = locker.newLock(key);
            await a.lock(never(), noop);
            let bHeld = false;
            const bDone = b.lock(never(), noop).then(() => {
                bHeld = true;
            });
            await new Promise((r) => setTimeout(r, 50)); // a deliberate quiet window: b must not get it
            assert.equal(bHeld, false, 'b got the lock while a held it');
            await a.unlock();
            await bDone;
            assert.equal(bHeld, true);
            await b.unlock();
        });
        run('locks on different ids do not wait for each other', async ({ locker }) => {
            const a = locker.newLock(id());
            const b = locker.newLock(id());
            await a.lock(never(), noop);
            await b.lock(AbortSignal.timeout(2000), noop);
            await Promise.all([a.unlock(), b.unlock()]);
        });
        run("a waiter asks the holder to release (the holder's requestRelease runs)", async ({ locker }) => {
            const key = id();
            const a = locker.newLock(key);
            let asked = 0;
            await a.lock(never(), () => {
                asked++;
                void a.unlock();
            });
            const b = locker.newLock(key);
            await b.lock(AbortSignal.timeout(5000), noop);
            assert.ok(asked >= 1, 'the holder was never asked to release');
            await b.unlock();
        });
        run('a waiter whose signal aborts gets ERR_LOCK_TIMEOUT; the holder keeps the lock', async ({ locker }) => {
            const key = id();
            const a = locker.newLock(key);
            const lease = await a.lock(never(), noop);
            const b = locker.newLock(key);
            await assert.rejects(b.lock(AbortSignal.timeout(150), noop), (err) => {
                assert.ok(isUploadError(err) && err.code === 'ERR_LOCK_TIMEOUT', `unexpected ${String(err)}`);
                return true;
            });
            lease.assertHeld();
            await a.unlock();
            // Nothing of b's attempt is left behind: the next one gets the lock at once.
            const c = locker.newLock(key);
            await c.lock(AbortSignal.timeout(2000), noop);
            await c.unlock();
        });
        run('waiters of one instance get the lock in arrival order (first come, first served)', async ({ locker }) => {
            const key = id();
            const holder = locker.newLock(key);
            await holder.lock(never(), noop);
            const order = [];
            const waiters = [1, 2, 3].map((n) => {
                const lock = locker.newLock(key);
                return lock.lock(never(), noop).then(async () => {
                    order.push(n);
                    await lock.unlock();
                });
            });
            await new Promise((r) => setTimeout(r, 20)); // let all three register before the release
            await holder.unlock();
            await Promise.all(waiters);
            assert.deepEqual(order, [1, 2, 3]);
        });
        run('the lease holds while locked and ends on unlock', async ({ locker }) => {
            const lock = locker.newLock(id());
            const lease = await lock.lock(never(), noop);
            assert.equal(lease.lost.aborted, false);
            lease.assertHeld();
            await lock.unlock();
            assert.equal(lease.lost.aborted, true);
            assert.throws(() => lease.assertHeld(), (err) => isUploadError(err) && err.code === 'ERR_LEASE_LOST');
            await lock.unlock(); // twice is harmless
        });
        run('a lock object cannot be taken twice', async ({ locker }) => {
            const lock = locker.newLock(id());
            await lock.lock(never(), noop);
            await assert.rejects(lock.lock(AbortSignal.timeout(200), noop));
            await lock.unlock();
        });
        run('another instance is excluded too, and its waiter reaches the holder', async (s) => {
            if (!s.another)
                return;
            const other = await s.another();
            const key = id();
            const a = s.locker.newLock(key);
            let asked = false;
            await a.lock(never(), () => {
                asked = true;
                void a.unlock();
            });
            const b = other.newLock(key);
            await b.lock(AbortSignal.timeout(5000), noop);
            assert.equal(asked, true, "the other instance's waiter never reached the holder");
            // …and now the first instance is excluded.
            const c = s.locker.newLock(key);
            await assert.rejects(c.lock(AbortSignal.timeout(300), noop));
            await b.unlock();
            await c.lock(AbortSignal.timeout(5000), noop);
            await c.unlock();
        });
        run('a lock the backing takes away is a lost lease: lost aborts, assertHeld throws', async (s) => {
            if (!s.breakLock)
                return;
            const key = id();
            const lock = s.locker.newLock(key);
            const lease = await lock.lock(never(), noop);
            await s.breakLock(key);
            await waitUntil(() => lease.lost.aborted, s.lossNoticeMs ?? 5000, 'the holder notices its lock is gone');
            assert.throws(() => lease.assertHeld(), (err) => isUploadError(err) && err.code === 'ERR_LEASE_LOST');
            await lock.unlock();
        });
    });
}
//# sourceMappingURL=describe-locker.js.map