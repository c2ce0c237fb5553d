import { UploadError } from '@shuttle/protocol'
import type { DigestFn } from '../../ports.js'
import {
  abortedError,
  blockCount,
  blockRange,
  combineBlockDigests,
  createMainThreadHasher,
  IDENTITY_BLOCK_SIZE,
  type IdentityHasher,
  type IdentityJob,
} from '../sha256-4m.js'

const webDigest: DigestFn = async (algorithm, bytes) =>
  new Uint8Array(
    await crypto.subtle.digest(algorithm === 'sha1' ? 'SHA-1' : 'SHA-256', bytes as Uint8Array<ArrayBuffer>),
  )

/** Blocks queued per worker: one hashing while the next is read from disk. */
const IN_FLIGHT_PER_WORKER = 2

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
 * The `sha256-4m` identity in browsers: a pool of Web Workers per file, each reading 4 MiB `Blob`
 * slices and hashing them with WebCrypto, at most two blocks per worker in memory. An abort
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
        const feed = (w: Worker) => {
          if (settled || next >= count) return
          const i = next++
          const [start, end] = blockRange(i, size)
          w.postMessage({ i, blob: source.body?.(start, end) })
        }
        const n = Math.min(poolSize, count)
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
          w.onmessage = (e: MessageEvent<{ i: number; digest?: ArrayBuffer; error?: string }>) => {
            const { i, digest, error } = e.data
            if (!digest) {
              settle(new UploadError('ERR_SOURCE_READ', `Reading ${source.info.name} failed: ${error}`))
              return
            }
            digests[i] = new Uint8Array(digest)
            const [start, end] = blockRange(i, size)
            hashed += end - start
            job.onProgress?.(hashed)
            if (++finished === count) settle()
            else feed(w)
          }
          // A worker script that cannot load (CSP, a bundler that did not emit it) fails here.
          w.onerror = (e) => {
            e.preventDefault()
            workersBroken = finished === 0
            settle(new UploadError('ERR_INTERNAL', `The identity worker failed: ${e.message}`))
          }
          for (let q = 0; q < IN_FLIGHT_PER_WORKER; q++) feed(w)
        }
        if (job.signal.aborted) onAbort()
      })
    } finally {
      stop()
    }
    return combineBlockDigests(digests, webDigest)
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
