import {
  encodeBase64,
  IDENTITY_ALGORITHM,
  IDENTITY_BLOCK_SIZE,
  IDENTITY_LEAF_SIZE,
  UploadError,
} from '@shuttle/protocol'
import type { AbortSignalLike } from '../platform.js'
import type { DigestFn, FileSource } from '../ports.js'

// The content identity `sha256-4m` (Dropbox's "content hash" construction): SHA-256 over the
// concatenated digests of the file's consecutive 4 MiB blocks, the last one shorter, a block's
// digest being the SHA-256 over the SHA-256 of its 512 KiB leaves; a 0-byte file is the SHA-256 of
// nothing. Blocks hash independently, so the work spreads over threads, and memory stays at a few
// blocks whatever the file's size.

// The definition and its wire format live in @shuttle/protocol, shared with the server.
export {
  formatIdentity,
  IDENTITY_ALGORITHM,
  IDENTITY_BLOCK_SIZE,
  IDENTITY_LEAF_SIZE,
} from '@shuttle/protocol'

/** One identity computation: the file, a signal that stops it, and progress in bytes hashed. */
export interface IdentityJob {
  readonly source: FileSource
  readonly signal: AbortSignalLike
  /** Bytes hashed so far (monotonic), called as blocks finish. */
  onProgress?(bytes: number): void
  /**
   * Every block's digest, in order, once all are known: a request starting on a block boundary
   * then gets its `sha256-4m` Upload-Checksum from them without hashing its bytes again.
   */
  onBlocks?(digests: readonly Uint8Array[]): void
}

/** Computes `sha256-4m` identities; `workers` counts the threads it holds right now (0 when idle). */
export interface IdentityHasher {
  hash(job: IdentityJob): Promise<Uint8Array>
  readonly workers: number
}

export const blockCount = (size: number): number => Math.ceil(size / IDENTITY_BLOCK_SIZE)

/** [start, end) of block `i` of a file of `size` bytes. */
export function blockRange(i: number, size: number): [number, number] {
  const start = i * IDENTITY_BLOCK_SIZE
  return [start, Math.min(size, start + IDENTITY_BLOCK_SIZE)]
}

/**
 * One block's digest from its bytes with a one-shot digest: its leaves' digests, asked for all at
 * once (WebCrypto copies each input when called), then the SHA-256 over them.
 */
async function blockDigest(bytes: Uint8Array, digest: DigestFn): Promise<Uint8Array> {
  const leaves: Promise<Uint8Array>[] = []
  for (let at = 0; at < bytes.length; at += IDENTITY_LEAF_SIZE)
    leaves.push(digest('sha256', bytes.subarray(at, at + IDENTITY_LEAF_SIZE)))
  return digest('sha256', concatDigests(await Promise.all(leaves)))
}

function concatDigests(digests: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(digests.length * 32)
  digests.forEach((d, i) => {
    all.set(d, i * 32)
  })
  return all
}

/** The identity from the blocks' digests, in order (none for a 0-byte file); hands them to the job. */
export function combineBlockDigests(
  digests: readonly Uint8Array[],
  digest: DigestFn,
  job?: IdentityJob,
): Promise<Uint8Array> {
  job?.onBlocks?.(digests)
  return digest('sha256', concatDigests(digests))
}

/** The checkpoint-store key an unfinished upload is also kept under, found again by content. */
const IDENTITY_KEY_PREFIX = 'shuttle-identity:'

export const identityKey = (identity: Uint8Array, size: number, endpoint: string): string =>
  `${IDENTITY_KEY_PREFIX}${IDENTITY_ALGORITHM}:${encodeBase64(identity)}:${size}:${endpoint}`

/** A checkpoint store key that is a second name (by content) of a checkpoint kept by fingerprint. */
export const isIdentityKey = (key: string): boolean => key.startsWith(IDENTITY_KEY_PREFIX)

export const abortedError = (signal: AbortSignalLike): UploadError =>
  signal.reason instanceof UploadError ? signal.reason : new UploadError('ERR_ABORTED', 'Hashing was stopped')

/**
 * Hashes every block with at most `concurrency` in flight, started in order, and reports progress
 * as they finish. `hashBlock` owns the reading; at most `concurrency` blocks are in memory.
 */
export async function hashBlocks(
  size: number,
  concurrency: number,
  hashBlock: (start: number, end: number) => Promise<Uint8Array>,
  job: IdentityJob,
): Promise<Uint8Array[]> {
  const count = blockCount(size)
  const digests: Uint8Array[] = new Array(count)
  let next = 0
  let done = 0
  let failed = false
  const lane = async () => {
    try {
      while (next < count && !failed) {
        if (job.signal.aborted) throw abortedError(job.signal)
        const i = next++
        const [start, end] = blockRange(i, size)
        digests[i] = await hashBlock(start, end)
        done += end - start
        job.onProgress?.(done)
      }
    } catch (err) {
      failed = true // the other lanes stop reading
      throw err
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane))
  if (job.signal.aborted) throw abortedError(job.signal)
  return digests
}

/**
 * The identity on the calling thread, through `source.read` and a one-shot digest per leaf (the
 * platform's: WebCrypto, node:crypto). `concurrency` blocks are read at once.
 */
export function createMainThreadHasher(digest: DigestFn, concurrency = 2): IdentityHasher {
  return {
    workers: 0,
    async hash(job) {
      const { source } = job
      const digests = await hashBlocks(
        source.info.size,
        concurrency,
        async (start, end) => blockDigest(await source.read(start, end), digest),
        job,
      )
      return combineBlockDigests(digests, digest, job)
    },
  }
}
