import { writev, writevSync } from 'node:fs'
import type { Lease } from '../../types.js'

/**
 * Decides where a FileStore writes: on the main thread (a page-cache write of a few hundred KiB
 * takes tens of µs, and the bytes are still in this core's cache) or on libuv's thread pool (a
 * handoff per write: `bench/server-io.mjs` measured 1.9–2.6 CPU-s/GiB through fs.WriteStream
 * against 0.65–0.89 with writeSync, at 2–3× the throughput). nginx buffers request bodies to disk
 * with blocking writes the same way. The risk is a write that waits for the disk (dirty-page
 * throttling, network file systems): `slowCount` writes slower than `slowMs` within `windowMs`,
 * that are also at least `slowShare` of the writes since the first of them, move every write of
 * this store to the thread pool for `coolDownMs`, so such a stall holds the event loop up for at
 * most a few writes per period.
 */
export interface WriteGuard {
  threadPool(): boolean
  /** A main-thread write took `ms`. */
  took(ms: number): void
}

export function createWriteGuard(
  mode: 'auto' | 'thread-pool' = 'auto',
  {
    slowMs = 20,
    slowCount = 3,
    slowShare = 1 / 8,
    windowMs = 2000,
    coolDownMs = 30_000,
    now = () => performance.now(),
  } = {},
): WriteGuard {
  let poolUntil = mode === 'thread-pool' ? Number.POSITIVE_INFINITY : 0
  // Recent slow writes: when, and how many writes there had been then. One alone is no sign of a
  // slow disk: on a busy machine the main thread is preempted mid-write now and then (seen: 32 ms
  // on 2 shared cores), and moving every write to the pool for 30 s on that made whole benchmark
  // runs 2-3x costlier in server CPU. At load average 8-13 on 2 cores, 3 such writes within 2 s
  // still happened among thousands of fast ones (3 of 20 one-GiB runs and every verified one went
  // to the pool, server 2.3 against 0.4 CPU-s/GiB of system time). A disk that really stalls slows
  // write after write, so the slow ones must also be a share of all writes.
  const slow: Array<{ t: number; at: number }> = []
  let writes = 0
  return {
    threadPool: () => now() < poolUntil,
    took(ms) {
      writes++
      if (ms <= slowMs) return
      const t = now()
      slow.push({ t, at: writes })
      while (slow.length > 0 && (slow[0] as { t: number }).t < t - windowMs) slow.shift()
      const since = writes - (slow[0] as { at: number }).at + 1
      if (slow.length >= slowCount && slow.length >= since * slowShare) {
        poolUntil = Math.max(poolUntil, t + coolDownMs)
        slow.length = 0
      }
    },
  }
}

/** Runs small file-system calls on this thread, timed by `guard` like a write (a slow disk shows). */
export function onThisThread<T>(guard: WriteGuard, calls: () => T): T {
  const t0 = performance.now()
  try {
    return calls()
  } finally {
    guard.took(performance.now() - t0)
  }
}

/**
 * Bytes gathered before one synchronous `writev`. Node's HTTP parser hands a body over in pieces of
 * at most 64 KiB, and each write system call has a fixed cost that is high on a VM (page-cache
 * bookkeeping, timestamps, mitigations): a probe server writing 1 GiB in 64 KiB writes spent
 * 0.72–1.01 system CPU-s/GiB, in 256 KiB writevs 0.53–0.74 (6 interleaved rounds, quiet 2-vCPU AMD
 * EPYC; `bench/server-io.mjs` has both modes, and its rounds swing with cold page-cache memory).
 * Larger batches were slower again: 1 MiB of fresh body buffers has left the core's cache before
 * the kernel copies it (1.0–4.0 CPU-s/GiB).
 */
export const SYNC_BATCH = 256 * 1024

/**
 * Appends buffers to an open file at increasing positions: synchronously while the guard allows,
 * in batches of up to `SYNC_BATCH` bytes (what arrived in one turn of the event loop), else through
 * `fs.writev` on the thread pool, batching what arrives during a write (at most `highWaterMark`
 * queued before `write()` asks the caller to wait for `onDrain`).
 */
export class FileWriter {
  readonly #fd: number
  readonly #guard: WriteGuard
  readonly #highWaterMark: number
  readonly #onDrain: () => void
  readonly #onError: (err: unknown) => void
  readonly #lease: Lease | undefined
  #position: number
  #queued: Buffer[] = []
  #queuedBytes = 0
  /** Accepted for the next synchronous write, not yet written. */
  #batch: Buffer[] = []
  #batchBytes = 0
  #burstEnd: NodeJS.Immediate | undefined
  #inFlight = false
  #error: unknown
  #idle: Array<() => void> = []

  constructor(
    fd: number,
    position: number,
    o: {
      guard: WriteGuard
      /** Checked before every write: a lost lock stops the writer (onError) before it writes again. */
      lease?: Lease | undefined
      highWaterMark: number
      onDrain(): void
      onError(err: unknown): void
    },
  ) {
    this.#lease = o.lease
    this.#fd = fd
    this.#position = position
    this.#guard = o.guard
    this.#highWaterMark = o.highWaterMark
    this.#onDrain = o.onDrain
    this.#onError = o.onError
  }

  /** Writes or queues `chunk`; false: stop feeding it until onDrain (or after an error). */
  write(chunk: Buffer): boolean {
    if (this.#error !== undefined) return false
    if (this.#lease && !this.#stillHeld()) return false
    if (!this.#inFlight && this.#queued.length === 0 && !this.#guard.threadPool()) {
      this.#batch.push(chunk)
      this.#batchBytes += chunk.length
      if (this.#batchBytes >= SYNC_BATCH) return this.#writeBatch()
      // What one burst of socket reads delivered is written before the event loop waits again: a
      // slow sender's bytes reach the file (and its mtime, the upload's activity) as they arrive.
      this.#burstEnd ??= setImmediate(() => {
        this.#burstEnd = undefined
        if (this.#batch.length > 0 && this.#error === undefined && this.#stillHeld()) this.#writeBatch()
      })
      return true
    }
    if (this.#batch.length > 0) {
      // The guard moved to the thread pool with a batch gathered: it goes first.
      this.#queued.push(...this.#batch)
      this.#queuedBytes += this.#batchBytes
      this.#batch = []
      this.#batchBytes = 0
    }
    this.#queued.push(chunk)
    this.#queuedBytes += chunk.length
    if (!this.#inFlight) this.#flush()
    return this.#queuedBytes < this.#highWaterMark
  }

  /** Resolves once every accepted byte is written; rejects with the first write error. */
  finished(): Promise<void> {
    if (this.#burstEnd) clearImmediate(this.#burstEnd)
    this.#burstEnd = undefined
    if (this.#batch.length > 0 && this.#error === undefined && this.#stillHeld()) this.#writeBatch()
    return new Promise((resolve, reject) => {
      const settle = () => (this.#error !== undefined ? reject(this.#error) : resolve())
      if (!this.#inFlight && this.#queued.length === 0) settle()
      else this.#idle.push(settle)
    })
  }

  #stillHeld(): boolean {
    try {
      this.#lease?.assertHeld()
      return true
    } catch (err) {
      this.#fail(err)
      return false
    }
  }

  /** Writes the gathered batch on this thread; false after an error. */
  #writeBatch(): boolean {
    const buffers = this.#batch
    const bytes = this.#batchBytes
    this.#batch = []
    this.#batchBytes = 0
    const t0 = performance.now()
    try {
      for (let at = 0; at < bytes; )
        at += writevSync(this.#fd, at === 0 ? buffers : remainder(buffers, at), this.#position + at)
    } catch (err) {
      this.#fail(err)
      return false
    }
    this.#position += bytes
    this.#guard.took(performance.now() - t0)
    return true
  }

  #flush(): void {
    if (!this.#stillHeld()) return
    const buffers = this.#queued
    const bytes = this.#queuedBytes
    this.#queued = []
    this.#queuedBytes = 0
    this.#inFlight = true
    writev(this.#fd, buffers, this.#position, (err, written) => {
      this.#inFlight = false
      if (err) return this.#fail(err)
      this.#position += written
      if (written < bytes) {
        // A short write (rare on regular files): the rest goes first in the next batch.
        this.#queued = [...remainder(buffers, written), ...this.#queued]
        this.#queuedBytes += bytes - written
      }
      if (this.#queued.length > 0) this.#flush()
      else for (const settle of this.#idle.splice(0)) settle()
      if (this.#queuedBytes < this.#highWaterMark) this.#onDrain()
    })
  }

  #fail(err: unknown): void {
    if (this.#error !== undefined) return
    this.#error = err
    this.#queued = []
    this.#queuedBytes = 0
    this.#batch = []
    this.#batchBytes = 0
    this.#onError(err)
    if (!this.#inFlight) for (const settle of this.#idle.splice(0)) settle()
  }
}

function remainder(buffers: readonly Buffer[], skip: number): Buffer[] {
  const out: Buffer[] = []
  for (const b of buffers) {
    if (skip >= b.length) skip -= b.length
    else {
      out.push(skip > 0 ? b.subarray(skip) : b)
      skip = 0
    }
  }
  return out
}
