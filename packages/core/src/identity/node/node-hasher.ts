import { createHash } from 'node:crypto'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { UploadError } from '@shuttle/protocol'
import type { FileSource, PositionalReader } from '../../ports.js'
import {
  abortedError,
  blockCount,
  blockRange,
  combineBlockDigests,
  createMainThreadHasher,
  IDENTITY_BLOCK_SIZE,
  IDENTITY_LEAF_SIZE,
  type IdentityHasher,
  type IdentityJob,
} from '../sha256-4m.js'

const sha256 = async (_: 'sha1' | 'sha256', bytes: Uint8Array) => createHash('sha256').update(bytes).digest()

/** A block's digest (see @shuttle/protocol): SHA-256 over the SHA-256 of each 512 KiB leaf. */
function blockDigest(block: Uint8Array): Buffer {
  const leaves = createHash('sha256')
  for (let at = 0; at < block.length; at += IDENTITY_LEAF_SIZE)
    leaves.update(
      createHash('sha256')
        .update(block.subarray(at, at + IDENTITY_LEAF_SIZE))
        .digest(),
    )
  return leaves.digest()
}

// A worker hashes the blocks it is given straight from the file (its own descriptor and one
// reused 4 MiB buffer) and posts each digest back. Inline source: nothing to resolve, whether the
// package runs from dist, from src under a test runner, or bundled; its blockDigest is the one above.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { openSync, readSync, closeSync } = require('node:fs')
const { createHash } = require('node:crypto')
const { path, size, blocks, blockSize, leafSize } = workerData
const blockDigest = (block) => {
  const leaves = createHash('sha256')
  for (let at = 0; at < block.length; at += leafSize)
    leaves.update(createHash('sha256').update(block.subarray(at, at + leafSize)).digest())
  return leaves.digest()
}
const fd = openSync(path, 'r')
const buf = Buffer.allocUnsafe(blockSize)
try {
  for (const i of blocks) {
    const start = i * blockSize
    const len = Math.min(size, start + blockSize) - start
    for (let at = 0; at < len; ) {
      const n = readSync(fd, buf, at, len - at, start + at)
      if (n === 0) throw new Error('the file got shorter while hashing')
      at += n
    }
    parentPort.postMessage({ i, digest: blockDigest(buf.subarray(0, len)) })
  }
} finally {
  closeSync(fd)
}
`

export interface NodeIdentityOptions {
  /**
   * Threads that hash blocks at once for large files on disk; 1 hashes on the main thread
   * (node:crypto, reading the next block while hashing this one). Default: the machine's
   * available parallelism, at most 4 (see the core README for the numbers).
   */
  threads?: number
  /**
   * Files on disk smaller than this hash on the main thread: starting a worker thread took
   * 55–150 ms on the loaded 2-core test machine, what the main thread needs for ~100 MiB.
   * Default 128 MiB.
   */
  threadThreshold?: number
}

/** Fills `into` from `position`; a file ending early changed since it was added. */
async function readFully(reader: PositionalReader, into: Uint8Array, position: number): Promise<void> {
  for (let at = 0; at < into.length; ) {
    const n = await reader.read(into.subarray(at), position + at)
    if (n === 0) throw new UploadError('ERR_SOURCE_CHANGED', 'The file got shorter while hashing')
    at += n
  }
}

/** Main thread: two reused buffers, the next block read while this one hashes (sync, ~2 ms). */
async function hashOnMainThread(source: FileSource, job: IdentityJob): Promise<Uint8Array> {
  const reader = await source.openReader?.()
  if (!reader) return createMainThreadHasher(sha256).hash(job)
  const size = source.info.size
  const count = blockCount(size)
  const bufs = [Buffer.allocUnsafe(IDENTITY_BLOCK_SIZE), Buffer.allocUnsafe(IDENTITY_BLOCK_SIZE)]
  const view = (i: number) => {
    const [start, end] = blockRange(i, size)
    return { buf: (bufs[i % 2] as Buffer).subarray(0, end - start), start }
  }
  const digests: Uint8Array[] = []
  try {
    let pending: Promise<void> | undefined
    if (count > 0) {
      const first = view(0)
      pending = readFully(reader, first.buf, first.start)
    }
    for (let i = 0; i < count; i++) {
      await pending
      if (job.signal.aborted) throw abortedError(job.signal)
      const next = i + 1 < count ? view(i + 1) : undefined
      pending = next ? readFully(reader, next.buf, next.start) : undefined
      // A rejected read-ahead must not go unhandled if this block's hashing throws first.
      pending?.catch(() => {})
      const { buf, start } = view(i)
      digests.push(blockDigest(buf))
      job.onProgress?.(start + buf.length)
    }
  } finally {
    await reader.close()
  }
  return combineBlockDigests(digests, sha256, job)
}

/**
 * The `sha256-4m` identity in Node: files on disk of `threadThreshold` (128 MiB) or more are
 * spread over worker threads (one per core, at most 4; each reads its own blocks from the file),
 * smaller ones and in-memory bytes hash on the main thread.
 *
 * @example
 * const id = await createNodeIdentityHasher({ threads: 1 }).hash({ source, signal })
 */
export function createNodeIdentityHasher(options: NodeIdentityOptions = {}): IdentityHasher {
  const cores = availableParallelism()
  const threads = Math.max(1, Math.min(options.threads ?? Math.min(cores, 4), cores))
  const threshold = Math.max(options.threadThreshold ?? 128 * 1024 * 1024, 2 * IDENTITY_BLOCK_SIZE)
  const live = new Set<Worker>()

  async function hashInWorkers(path: string, job: IdentityJob): Promise<Uint8Array> {
    const size = job.source.info.size
    const count = blockCount(size)
    const digests: Uint8Array[] = new Array(count)
    const n = Math.min(threads, count)
    const workers: Worker[] = []
    let hashed = 0
    const stop = () => {
      for (const w of workers) {
        live.delete(w)
        void w.terminate()
      }
    }
    try {
      await new Promise<void>((resolve, reject) => {
        let running = n
        const onAbort = () => reject(abortedError(job.signal))
        job.signal.addEventListener('abort', onAbort, { once: true })
        const finish = (err?: unknown) => {
          job.signal.removeEventListener('abort', onAbort)
          if (err) reject(err)
          else resolve()
        }
        for (let k = 0; k < n; k++) {
          const blocks: number[] = []
          for (let i = k; i < count; i += n) blocks.push(i)
          const w = new Worker(WORKER_SOURCE, {
            eval: true,
            workerData: { path, size, blocks, blockSize: IDENTITY_BLOCK_SIZE, leafSize: IDENTITY_LEAF_SIZE },
          })
          workers.push(w)
          live.add(w)
          w.on('message', ({ i, digest }: { i: number; digest: Uint8Array }) => {
            digests[i] = digest
            const [start, end] = blockRange(i, size)
            hashed += end - start
            job.onProgress?.(hashed)
          })
          w.on('error', (cause) =>
            finish(new UploadError('ERR_SOURCE_READ', `Hashing ${path} failed: ${cause.message}`, { cause })),
          )
          w.on('exit', () => {
            live.delete(w)
            if (--running === 0) finish()
          })
        }
        if (job.signal.aborted) onAbort()
      })
    } finally {
      stop()
    }
    if (digests.some((d) => d === undefined))
      throw new UploadError('ERR_SOURCE_READ', `Hashing ${path} failed`)
    return combineBlockDigests(digests, sha256, job)
  }

  return {
    get workers() {
      return live.size
    },
    async hash(job) {
      if (job.signal.aborted) throw abortedError(job.signal)
      const path = job.source.info.path
      const size = job.source.info.size
      if (threads > 1 && path !== undefined && size >= threshold) {
        return hashInWorkers(path, job)
      }
      if (job.source.openReader) return hashOnMainThread(job.source, job)
      return createMainThreadHasher(sha256).hash(job)
    },
  }
}
