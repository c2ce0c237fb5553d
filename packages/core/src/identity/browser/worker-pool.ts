import { UploadError } from '@shuttle/protocol'
import type { DigestFn } from '../../ports.js'
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

const webDigest: DigestFn = async (algorithm, bytes) =>
  new Uint8Array(
    await crypto.subtle.digest(algorithm === 'sha1' ? 'SHA-1' : 'SHA-256', bytes as Uint8Array<ArrayBuffer>),
  )

/**
 * Blocks per segment (one Blob stream each; 64 MiB): large enough that Chromium's cost per read
 * is paid rarely (4 MiB slices cost twice the CPU of 16 MiB-and-larger streams), small enough
 * that workers finishing early take the remaining segments.
 */
const SEGMENT_BLOCKS = 16

export interface BrowserIdentityOptions {
  /** Web Workers per file. Default: navigator.hardwareConcurrency, between 1 and 4. */
  workers?: number
  /** Files smaller than this hash on the page's thread (WebCrypto): no worker start-up. Default 8 MiB. */
  workerThreshold?: number
  /** Makes one worker; the default loads identity-worker.js next to this module. */
  createWorker?: () => Worker
}

// `new Worker(new URL('./x.js', import.meta.url), { type: 'module' })`, written out in one
// expression, is the form bundlers (Vite, webpack 5, Rollup plugins) recognise and emit.
const defaultWorker = () =>
  new Worker(new URL('./identity-worker.js', import.meta.url), { type: 'module', name: 'shuttle-identity' })

/**
 * The `sha256-4m` identity in browsers: a pool of Web Workers per file, each streaming segments of
 * up to 64 MiB of the `Blob` and hashing their 4 MiB blocks with WebCrypto, about two blocks per
 * worker in memory. An abort
 * terminates the workers at once. Small files, inputs without a Blob, and pages where workers
 * cannot start hash on the page's thread (WebCrypto, which runs off the main thread anyway).
 *
 * @example
 * createUploader({ endpoint, identity: true, identityHasher: createBrowserIdentityHasher({ workers: 2 }) })
 */
export function createBrowserIdentityHasher(options: BrowserIdentityOptions = {}): IdentityHasher {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 2 : 2
  const poolSize = Math.max(1, Math.min(options.workers ?? cores, 4))
  const threshold = options.workerThreshold ?? 2 * IDENTITY_BLOCK_SIZE
  const create = options.createWorker ?? defaultWorker
  const mainThread = createMainThreadHasher(webDigest, 2)
  const live = new Set<Worker>()
  let workersBroken = options.createWorker === undefined && typeof Worker === 'undefined'

  async function hashInWorkers(job: IdentityJob): Promise<Uint8Array> {
    const { source } = job
    const size = source.info.size
    const count = blockCount(size)
    const digests: Uint8Array[] = new Array(count)
    const workers: Worker[] = []
    const stop = () => {
      for (const w of workers) {
        w.terminate()
        live.delete(w)
      }
    }
    try {
      await new Promise<void>((resolve, reject) => {
        let next = 0
        let finished = 0
        let hashed = 0
        let settled = false
        const settle = (err?: unknown) => {
          if (settled) return
          settled = true
          job.signal.removeEventListener('abort', onAbort)
          if (err) reject(err)
          else resolve()
        }
        const onAbort = () => settle(abortedError(job.signal))
        job.signal.addEventListener('abort', onAbort, { once: true })
        const n = Math.min(poolSize, count)
        // Every worker gets work even for small files; large ones go in SEGMENT_BLOCKS pieces.
        const perSegment = Math.max(1, Math.min(SEGMENT_BLOCKS, Math.ceil(count / n)))
        const feed = (w: Worker) => {
          if (settled || next >= count) return
          const first = next
          next = Math.min(count, next + perSegment)
          const start = blockRange(first, size)[0]
          const end = blockRange(next - 1, size)[1]
          w.postMessage({
            first,
            blob: source.body?.(start, end),
            blockSize: IDENTITY_BLOCK_SIZE,
            leafSize: IDENTITY_LEAF_SIZE,
          })
        }
        for (let k = 0; k < n; k++) {
          let w: Worker
          try {
            w = create()
          } catch (cause) {
            workersBroken = true
            settle(new UploadError('ERR_INTERNAL', 'Web Workers cannot start here', { cause }))
            return
          }
          workers.push(w)
          live.add(w)
          w.onmessage = (
            e: MessageEvent<{ i: number; digest?: ArrayBuffer; last?: boolean; error?: string }>,
          ) => {
            const { i, digest, last, error } = e.data
            if (!digest) {
              settle(new UploadError('ERR_SOURCE_READ', `Reading ${source.info.name} failed: ${error}`))
              return
            }
            digests[i] = new Uint8Array(digest)
            const [start, end] = blockRange(i, size)
            hashed += end - start
            job.onProgress?.(hashed)
            if (++finished === count) settle()
            else if (last) feed(w)
          }
          // A worker script that cannot load (CSP, a bundler that did not emit it) fails here.
          w.onerror = (e) => {
            e.preventDefault()
            workersBroken = finished === 0
            settle(new UploadError('ERR_INTERNAL', `The identity worker failed: ${e.message}`))
          }
        }
        // One segment per worker at a time: the next goes out with the last digest of this one
        // (a message's round trip against ~50 ms of hashing), so a worker that finishes early
        // takes what is left instead of waiting behind a queue of another's.
        for (const w of workers) feed(w)
        if (job.signal.aborted) onAbort()
      })
    } finally {
      stop()
    }
    return combineBlockDigests(digests, webDigest, job)
  }

  return {
    get workers() {
      return live.size
    },
    async hash(job) {
      if (job.signal.aborted) throw abortedError(job.signal)
      const size = job.source.info.size
      const blob = size > 0 ? job.source.body?.(0, 1) : undefined
      const useWorkers =
        !workersBroken && size >= threshold && typeof Blob !== 'undefined' && blob instanceof Blob
      if (!useWorkers) return mainThread.hash(job)
      try {
        return await hashInWorkers(job)
      } catch (err) {
        // Workers that cannot run here: the same identity on the page's thread.
        if (workersBroken && !job.signal.aborted) return mainThread.hash(job)
        throw err
      }
    },
  }
}
