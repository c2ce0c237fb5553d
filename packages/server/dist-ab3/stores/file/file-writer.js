import { appendFileSync as __a } from 'node:fs'
import { writeSync, writev } from 'node:fs';
export function createWriteGuard(mode = 'auto', { slowMs = 20, slowCount = 3, windowMs = 2000, coolDownMs = 30_000, now = () => performance.now() } = {}) {
    let poolUntil = mode === 'thread-pool' ? Number.POSITIVE_INFINITY : 0;
    // Times of recent slow writes. One alone is no sign of a slow disk: on a busy machine the main
    // thread is preempted mid-write now and then (seen: 32 ms on 2 shared cores), and moving every
    // write to the pool for 30 s on that made whole benchmark runs 2-3x costlier in server CPU.
    // A disk that really stalls slows write after write.
    const slow = [];
    return {
        threadPool: () => now() < poolUntil,
        took(ms) {
            if (ms <= slowMs)
                return;
            __a('/tmp/guard-ab3.log', `${process.pid} slow ${ms.toFixed(1)} ms\n`);
            const t = now();
            slow.push(t);
            while (slow.length > 0 && slow[0] < t - windowMs)
                slow.shift();
            if (slow.length >= slowCount) {
                poolUntil = Math.max(poolUntil, t + coolDownMs);
                slow.length = 0;
            }
        },
    };
}
/**
 * Appends buffers to an open file at increasing positions: synchronously while the guard allows,
 * else through `fs.writev` on the thread pool, batching what arrives during a write (at most
 * `highWaterMark` queued before `write()` asks the caller to wait for `onDrain`).
 */
export class FileWriter {
    #fd;
    #guard;
    #highWaterMark;
    #onDrain;
    #onError;
    #lease;
    #position;
    #queued = [];
    #queuedBytes = 0;
    #inFlight = false;
    #error;
    #idle = [];
    constructor(fd, position, o) {
        this.#lease = o.lease;
        this.#fd = fd;
        this.#position = position;
        this.#guard = o.guard;
        this.#highWaterMark = o.highWaterMark;
        this.#onDrain = o.onDrain;
        this.#onError = o.onError;
    }
    /** Writes or queues `chunk`; false: stop feeding it until onDrain (or after an error). */
    write(chunk) {
        if (this.#error !== undefined)
            return false;
        if (this.#lease && !this.#stillHeld())
            return false;
        if (!this.#inFlight && this.#queued.length === 0 && !this.#guard.threadPool()) {
            const t0 = performance.now();
            try {
                for (let at = 0; at < chunk.length;)
                    at += writeSync(this.#fd, chunk, at, chunk.length - at, this.#position + at);
            }
            catch (err) {
                this.#fail(err);
                return false;
            }
            this.#position += chunk.length;
            this.#guard.took(performance.now() - t0);
            return true;
        }
        this.#queued.push(chunk);
        this.#queuedBytes += chunk.length;
        if (!this.#inFlight)
            this.#flush();
        return this.#queuedBytes < this.#highWaterMark;
    }
    /** Resolves once every accepted byte is written; rejects with the first write error. */
    finished() {
        return new Promise((resolve, reject) => {
            const settle = () => (this.#error !== undefined ? reject(this.#error) : resolve());
            if (!this.#inFlight && this.#queued.length === 0)
                settle();
            else
                this.#idle.push(settle);
        });
    }
    #stillHeld() {
        try {
            this.#lease?.assertHeld();
            return true;
        }
        catch (err) {
            this.#fail(err);
            return false;
        }
    }
    #flush() {
        if (!this.#stillHeld())
            return;
        const buffers = this.#queued;
        const bytes = this.#queuedBytes;
        this.#queued = [];
        this.#queuedBytes = 0;
        this.#inFlight = true;
        writev(this.#fd, buffers, this.#position, (err, written) => {
            this.#inFlight = false;
            if (err)
                return this.#fail(err);
            this.#position += written;
            if (written < bytes) {
                // A short write (rare on regular files): the rest goes first in the next batch.
                this.#queued = [...remainder(buffers, written), ...this.#queued];
                this.#queuedBytes += bytes - written;
            }
            if (this.#queued.length > 0)
                this.#flush();
            else
                for (const settle of this.#idle.splice(0))
                    settle();
            if (this.#queuedBytes < this.#highWaterMark)
                this.#onDrain();
        });
    }
    #fail(err) {
        if (this.#error !== undefined)
            return;
        this.#error = err;
        this.#queued = [];
        this.#queuedBytes = 0;
        this.#onError(err);
        if (!this.#inFlight)
            for (const settle of this.#idle.splice(0))
                settle();
    }
}
function remainder(buffers, skip) {
    const out = [];
    for (const b of buffers) {
        if (skip >= b.length)
            skip -= b.length;
        else {
            out.push(skip > 0 ? b.subarray(skip) : b);
            skip = 0;
        }
    }
    return out;
}
//# sourceMappingURL=file-writer.js.map