// Both browser clients in one page: the Shuttle browser build (ES modules via the import map)
// and tus-js-client's browser bundle (global `tus`). The tus endpoint is this page's origin.
import { createUploader } from '@shuttle/core'

const RETRY_DELAYS = [0, 1000, 3000, 5000]
let cached

function blobOf(size) {
  if (cached?.size !== size) {
    const bytes = new Uint8Array(size)
    for (let i = 0; i < size; i += 4096) bytes[i] = (i >> 12) & 0xff
    cached = new Blob([bytes], { type: 'application/octet-stream' })
  }
  return cached
}

function uploadShuttle(blob, endpoint, chunkSize, parallel) {
  return new Promise((resolve, reject) => {
    const uploader = createUploader({
      endpoint,
      chunkSize,
      parallelUploads: parallel,
      retryDelays: RETRY_DELAYS,
    })
    uploader.on('completed', () => resolve(uploader.destroy()))
    uploader.on('failed', ({ error }) => reject(error))
    uploader.add({ blob, name: 'bench.bin' })
  })
}

function uploadTus(blob, endpoint, chunkSize, parallel) {
  return new Promise((resolve, reject) => {
    const options = {
      endpoint,
      retryDelays: RETRY_DELAYS,
      metadata: { filename: 'bench.bin' },
      onSuccess: resolve,
      onError: reject,
    }
    if (Number.isFinite(chunkSize)) options.chunkSize = chunkSize
    if (parallel > 1) options.parallelUploads = parallel
    new window.tus.Upload(blob, options).start()
  })
}

/** Uploads a `size`-byte Blob once; resolves with the elapsed milliseconds. */
window.benchUpload = async ({ client, size, chunkSize, parallel = 1 }) => {
  const blob = blobOf(size)
  const chunk = chunkSize === 'Infinity' ? Number.POSITIVE_INFINITY : chunkSize
  const endpoint = `${location.origin}/files/`
  const t0 = performance.now()
  const upload = client === 'shuttle' ? uploadShuttle : uploadTus
  await upload(blob, endpoint, chunk, parallel)
  return performance.now() - t0
}
window.benchPrepare = ({ size }) => {
  blobOf(size)
  return true
}
document.getElementById('status').textContent = 'ready'
