import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, unlinkSync, watch, writeSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { UploadError } from '@shuttle/protocol';
import { isValidUploadId } from '../ids.js';
import { isOutOfSpace, outOfSpace } from '../out-of-space.js';
import { createLease } from './lease.js';
import { MemoryLocker } from './memory-locker.js';
const HOST = hostname();
// A lock's token: random per process, then a counter (unique without a random draw per lock).
const PROCESS_TOKEN = randomBytes(9).toString('base64url');
let tokens = 0;
/**
 * Locks that hold across processes sharing one upload directory (same machine, or a shared mount
 * whose exclusive creation is atomic): a lock is a file created with O_EXCL in `<directory>/.locks`,
 * naming its holder (host, pid, random token) and renewed while held. In one process, locks go
 * through a MemoryLocker first, so only one request per process touches the lock file.
 *
 * - A waiter asks the holder to release by touching `<id>.release`; the holder sees it through a
 *   file-system watch (or the poll) and its `requestRelease` runs, as with MemoryLocker.
 * - Order: first come, first served within a process; across processes, the newest request asks
 *   the holder to release and whoever creates the lock file first after it is freed wins.
 * - A crashed holder's lock is taken over at once when its PID on this host is gone, else after
 *   `ttl` without renewal (a stopped process); the holder then loses its lease (`lost` aborts) and
 *   the file store writes nothing more.
 *
 * @example
 * const locker = new FileLocker({ directory: './uploads' })
 * await locker.check() // refuses a directory where locks cannot work
 * createTusServer({ store: new FileStore({ directory: './uploads' }), locker })
 */
export class FileLocker {
    directory;
    #ttl;
    #pollInterval;
    #local = new MemoryLocker();
    /** Wakes whoever waits on a lock or holds one when its files change: file name → callbacks. */
    #listeners = new Map();
    #watcher;
    #ready;
    constructor(options) {
        this.directory = join(resolve(options.directory), '.locks');
        this.#ttl = options.ttl ?? 10_000;
        this.#pollInterval = options.pollInterval ?? 250;
        if (!(this.#ttl >= 100) || !(this.#pollInterval > 0)) {
            throw new UploadError('ERR_INVALID_OPTIONS', "FileLocker needs 'ttl' >= 100 ms and a positive 'pollInterval'");
        }
    }
    /**
     * Checks that locks can work in the directory: it can be created and written, and exclusive
     * creation refuses a second file of the same name. Throws UploadError('ERR_INVALID_OPTIONS')
     * saying why not.
     */
    async check() {
        const probe = join(this.directory, `probe-${process.pid}-${randomBytes(4).toString('hex')}.lock`);
        try {
            await this.#ensureDirectory();
            await writeFile(probe, 'probe', { flag: 'wx' });
        }
        catch (err) {
            throw new UploadError('ERR_INVALID_OPTIONS', `Cannot create lock files in ${this.directory} (${err.code ?? err}); give the server write access to the upload directory`, { cause: err });
        }
        try {
            let exclusive = false;
            try {
                await writeFile(probe, 'again', { flag: 'wx' });
            }
            catch (err) {
                exclusive = err.code === 'EEXIST';
            }
            if (!exclusive || (await readFile(probe, 'utf8')) !== 'probe') {
                throw new UploadError('ERR_INVALID_OPTIONS', `The file system of ${this.directory} does not make exclusive file creation atomic, so two servers on it could write one upload at once; use a local disk or a shared store with a Redis locker`);
            }
        }
        finally {
            await rm(probe, { force: true });
        }
    }
    newLock(id) {
        if (!isValidUploadId(id))
            throw new UploadError('ERR_INVALID_OPTIONS', `Not an upload id: ${id}`);
        const local = this.#local.newLock(id);
        let held;
        return {
            lock: async (signal, requestRelease) => {
                await local.lock(signal, requestRelease);
                try {
                    held = await this.#acquire(id, signal, requestRelease);
                }
                catch (err) {
                    await local.unlock();
                    throw err;
                }
                return held.lease;
            },
            unlock: async () => {
                const h = held;
                held = undefined;
                if (!h)
                    return;
                try {
                    await this.#release(id, h);
                }
                finally {
                    await local.unlock();
                }
            },
        };
    }
    async #acquire(id, signal, requestRelease) {
        await this.#ensureDirectory().catch((err) => {
            throw lockFileError(err);
        });
        const path = this.#lockPath(id);
        const owner = { host: HOST, pid: process.pid, token: `${PROCESS_TOKEN}.${++tokens}` };
        const body = JSON.stringify(owner);
        const stale = new StaleWatch(this.#ttl);
        let asked = 0;
        for (let delay = 5;; delay = Math.min(delay * 2, this.#pollInterval)) {
            if (signal.aborted)
                throw timeoutError(id, signal);
            if (tryCreate(path, body))
                return this.#hold(id, owner, requestRelease);
            if (await stale.isStale(path)) {
                await this.#breakStale(id, stale.seenToken);
                continue;
            }
            // Ask the holder to release, again now and then in case it missed the first request.
            if (Date.now() - asked > 500) {
                asked = Date.now();
                await writeFile(this.#releasePath(id), owner.token).catch(() => undefined);
            }
            await this.#wait(`${id}.lock`, delay, signal);
        }
    }
    #hold(id, owner, requestRelease) {
        // The holder stops trusting its lock well before anyone may break it (after a whole ttl).
        const lease = createLease(id, (this.#ttl * 3) / 4);
        const since = Date.now();
        let released = false;
        const checkRelease = () => {
            if (released)
                return;
            stat(this.#releasePath(id)).then((st) => {
                if (released || st.mtimeMs < since - 1000)
                    return;
                released = true;
                try {
                    requestRelease();
                }
                catch {
                    // A holder's callback must not break the locker.
                }
            }, () => undefined);
        };
        const renew = async () => {
            try {
                const now = await readOwner(this.#lockPath(id));
                if (now?.token !== owner.token) {
                    lease.lose('another process took it over');
                    return;
                }
                const t = new Date();
                await utimes(this.#lockPath(id), t, t);
                lease.renewed();
            }
            catch (err) {
                lease.lose(`its lock file could not be renewed: ${err.code ?? err}`);
            }
        };
        const renewTimer = setInterval(() => void renew(), this.#ttl / 4);
        const pollTimer = setInterval(checkRelease, this.#pollInterval);
        renewTimer.unref();
        pollTimer.unref();
        const stopListening = this.#listen(`${id}.release`, checkRelease);
        return {
            owner,
            lease: lease.lease,
            stop: () => {
                clearInterval(renewTimer);
                clearInterval(pollTimer);
                stopListening();
                lease.lose('unlocked');
            },
        };
    }
    async #release(id, held) {
        held.stop();
        const path = this.#lockPath(id);
        // Never remove a lock another process took over after ours was lost.
        if (readOwnerNow(path)?.token === held.owner.token)
            unlinkQuietly(path);
        unlinkQuietly(this.#releasePath(id));
    }
    /**
     * Removes a lock judged stale, under a short-lived `<id>.break` file so that two processes never
     * both break it (one could otherwise remove the lock the other has just created).
     */
    async #breakStale(id, token) {
        const guard = join(this.directory, `${id}.break`);
        try {
            await writeFile(guard, String(process.pid), { flag: 'wx' });
        }
        catch (err) {
            if (err.code !== 'EEXIST')
                throw err;
            // A breaker that died mid-break: its guard is removed once clearly old.
            const st = await stat(guard).catch(() => undefined);
            if (st && Date.now() - st.mtimeMs > this.#ttl)
                await rm(guard, { force: true });
            return;
        }
        try {
            const now = await readOwner(this.#lockPath(id)).catch(() => undefined);
            if (now?.token === token)
                await rm(this.#lockPath(id), { force: true });
        }
        finally {
            await rm(guard, { force: true });
        }
    }
    /** Resolves after `ms`, when `file` changes, or when `signal` aborts, whichever comes first. */
    #wait(file, ms, signal) {
        return new Promise((done) => {
            const finish = () => {
                clearTimeout(timer);
                stop();
                signal.removeEventListener('abort', finish);
                done();
            };
            const timer = setTimeout(finish, ms);
            const stop = this.#listen(file, finish);
            signal.addEventListener('abort', finish, { once: true });
        });
    }
    #listen(file, callback) {
        this.#startWatching();
        let set = this.#listeners.get(file);
        if (!set) {
            set = new Set();
            this.#listeners.set(file, set);
        }
        set.add(callback);
        return () => {
            set.delete(callback);
            if (set.size === 0 && this.#listeners.get(file) === set)
                this.#listeners.delete(file);
        };
    }
    #startWatching() {
        if (this.#watcher)
            return;
        try {
            // One watch for the whole folder; where events do not arrive (network mounts) the polls remain.
            this.#watcher = watch(this.directory, { persistent: false }, (_event, name) => {
                if (!name)
                    return;
                for (const callback of [...(this.#listeners.get(name.toString()) ?? [])])
                    callback();
            });
            this.#watcher.on('error', () => {
                this.#watcher?.close();
            });
        }
        catch {
            // No watch here: polling alone.
        }
    }
    #ensureDirectory() {
        this.#ready ??= mkdir(this.directory, { recursive: true }).then(() => undefined, (err) => {
            this.#ready = undefined;
            throw err;
        });
        return this.#ready;
    }
    #lockPath(id) {
        return join(this.directory, `${id}.lock`);
    }
    #releasePath(id) {
        return join(this.directory, `${id}.release`);
    }
}
/**
 * Judges a lock file someone else holds: stale at once when its holder is a process of this host
 * that no longer exists, or once its renewal time has not moved for a whole ttl of our own clock
 * (clocks of other hosts are never compared with ours).
 */
class StaleWatch {
    #ttl;
    #seen;
    seenToken;
    constructor(ttl) {
        this.#ttl = ttl;
    }
    async isStale(path) {
        let st;
        let owner;
        try {
            ;
            [st, owner] = await Promise.all([stat(path), readOwner(path)]);
        }
        catch {
            return false; // gone meanwhile: the next attempt may simply succeed
        }
        this.seenToken = owner?.token;
        if (owner && owner.host === HOST && owner.pid !== process.pid && !isAlive(owner.pid))
            return true;
        const now = performance.now();
        if (this.#seen?.mtimeMs !== st.mtimeMs) {
            this.#seen = { mtimeMs: st.mtimeMs, since: now };
            return false;
        }
        return now - this.#seen.since > this.#ttl;
    }
}
async function readOwner(path) {
    return parseOwner(await readFile(path, 'utf8'));
}
function parseOwner(text) {
    try {
        const o = JSON.parse(text);
        if (typeof o.host === 'string' && typeof o.pid === 'number' && typeof o.token === 'string') {
            return { host: o.host, pid: o.pid, token: o.token };
        }
    }
    catch {
        // Empty while its creator writes it, or garbage: no owner to judge by, only its age.
    }
    return undefined;
}
/**
 * Creates the lock file with O_EXCL, synchronously: on a local disk these are three system calls of
 * microseconds, where the thread pool would cost a handoff each (a lock is taken per request).
 * False when it exists.
 */
function tryCreate(path, body) {
    let fd;
    try {
        fd = openSync(path, 'wx');
    }
    catch (err) {
        if (err.code === 'EEXIST')
            return false;
        throw lockFileError(err);
    }
    try {
        writeSync(fd, body);
    }
    catch (err) {
        closeSync(fd);
        unlinkQuietly(path);
        throw lockFileError(err);
    }
    closeSync(fd);
    return true;
}
function unlinkQuietly(path) {
    try {
        unlinkSync(path);
    }
    catch {
        // Already gone.
    }
}
function readOwnerNow(path) {
    try {
        return parseOwner(readFileSync(path, 'utf8'));
    }
    catch {
        return undefined;
    }
}
function isAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (err) {
        return err.code === 'EPERM';
    }
}
/** A lock file that cannot be written: out of space is the same 507 as for the upload's bytes. */
function lockFileError(err) {
    return isOutOfSpace(err) ? outOfSpace(err) : err;
}
function timeoutError(id, signal) {
    return new UploadError('ERR_LOCK_TIMEOUT', `Timed out waiting for the lock on upload ${id}`, {
        cause: signal.reason,
        retryable: true,
    });
}
/** Removes lock files untouched for `olderThanMs` (a live holder renews its own every few seconds). */
export async function removeStaleLockFiles(directory, olderThanMs) {
    const dir = join(resolve(directory), '.locks');
    let names;
    try {
        names = await readdir(dir);
    }
    catch {
        return 0;
    }
    const cutoff = Date.now() - olderThanMs;
    let removed = 0;
    for (const name of names) {
        if (!/^[A-Za-z0-9_-]+\.(lock|release|break)$/.test(name))
            continue;
        try {
            const st = await stat(join(dir, name));
            if (st.mtimeMs > cutoff)
                continue;
            await rm(join(dir, name), { force: true });
            removed++;
        }
        catch {
            // Gone meanwhile.
        }
    }
    return removed;
}
//# sourceMappingURL=file-locker.js.map