// tus-js-client 4 (Node build) driven the way its README shows.
import { createReadStream } from 'node:fs'
import { basename, join } from 'node:path'
import { FileUrlStorage, Upload } from 'tus-js-client'

function options({ endpoint, chunkSize, parallel }) {
  const o = { endpoint, retryDelays: [0, 1000, 3000, 5000] }
  if (Number.isFinite(chunkSize)) o.chunkSize = chunkSize
  if (parallel > 1) o.parallelUploads = parallel
  return o
}

/** Uploads one file from disk; with storeDir, resumes the upload recorded there. */
export async function uploadFile({ endpoint, path, size, chunkSize, parallel, storeDir, onProgress }) {
  const upload = await new Promise((resolve, reject) => {
    const u = new Upload(createReadStream(path), {
      ...options({ endpoint, chunkSize, parallel }),
      // tus-js-client refuses uploadSize together with parallelUploads; it stats the file itself.
      ...(parallel > 1 ? {} : { uploadSize: size }),
      metadata: { filename: basename(path) },
      urlStorage: storeDir ? new FileUrlStorage(join(storeDir, 'tus-js-urls.json')) : undefined,
      storeFingerprintForResuming: Boolean(storeDir),
      onProgress: (sent) => onProgress?.(sent),
      onSuccess: () => resolve(u),
      onError: reject,
    })
    const start = async () => {
      if (storeDir) {
        const previous = await u.findPreviousUploads()
        if (previous.length > 0) u.resumeFromPreviousUpload(previous[0])
      }
      u.start()
    }
    start().catch(reject)
  })
  return { url: upload.url }
}

/** Uploads `count` buffers from `dataFor(i)` (a Buffer), at most `concurrency` at a time. */
export async function uploadMany({ endpoint, dataFor, count, concurrency }) {
  const latencies = []
  let errors = 0
  let firstError
  let next = 0
  const one = (i) =>
    new Promise((resolve) => {
      const t0 = performance.now()
      const u = new Upload(dataFor(i), {
        ...options({ endpoint, chunkSize: Number.POSITIVE_INFINITY, parallel: 1 }),
        metadata: { filename: `small-${i}.bin` },
        onSuccess: () => {
          latencies.push(performance.now() - t0)
          resolve()
        },
        onError: (err) => {
          errors++
          firstError ??= String(err?.message ?? err).slice(0, 300)
          resolve()
        },
      })
      u.start()
    })
  const worker = async () => {
    while (next < count) await one(next++)
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker))
  return { latencies, errors, firstError }
}
