// Both browser clients in one page: the Shuttle browser build (ES modules via the import map)
// and tus-js-client's browser bundle (global `tus`). The tus endpoint is this page's origin.
// The input is either the disk-backed File the bench put into <input id="file"> (what users
// upload) or, with --browser-input blob, an in-memory Blob built here on every page load.
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

function inputOf(input, size) {
  if (input === 'blob') return blobOf(size)
  const file = document.getElementById('file').files[0]
  if (file?.size !== size) throw new Error(`no ${size}-byte file in <input id="file"> (${file?.size})`)
  return file
}

function uploadShuttle(blob, endpoint, chunkSize, parallel, verify) {
  return new Promise((resolve, reject) => {
    const uploader = createUploader({
      endpoint,
      chunkSize,
      parallelUploads: parallel,
      retryDelays: RETRY_DELAYS,
      // Rows compare like with like: tus-js-client verifies and hashes nothing. The verified row
      // runs the engine's defaults: checksums and content identity as the server offers them.
      ...(verify ? {} : { checksum: false, identity: false }),
    })
    uploader.on('completed', ({ url }) => resolve(uploader.destroy().then(() => url)))
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
      onSuccess: () => resolve(upload.url),
      onError: reject,
    }
    if (Number.isFinite(chunkSize)) options.chunkSize = chunkSize
    if (parallel > 1) options.parallelUploads = parallel
    const upload = new window.tus.Upload(blob, options)
    upload.start()
  })
}

// The ceiling: what any XHR-based client could do at best. Blob slices as bodies, one after the
// other, with an upload progress listener attached (both clients attach one; it changes how
// Chromium feeds the body). The server throws the bytes away.
function sendSlice(body, offset) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('PATCH', `${location.origin}/discard`)
    xhr.setRequestHeader('Tus-Resumable', '1.0.0')
    xhr.setRequestHeader('Upload-Offset', String(offset))
    xhr.setRequestHeader('Content-Type', 'application/offset+octet-stream')
    xhr.upload.onprogress = () => {}
    xhr.onload = () => (xhr.status === 204 ? resolve() : reject(new Error(`sink answered ${xhr.status}`)))
    xhr.onerror = () => reject(new Error('network error'))
    xhr.send(body)
  })
}

async function uploadRaw(blob, chunkSize) {
  const step = Number.isFinite(chunkSize) ? chunkSize : blob.size
  for (let offset = 0; offset < blob.size; offset += step) {
    await sendSlice(blob.slice(offset, Math.min(blob.size, offset + step)), offset)
  }
}

/** Uploads the input once; resolves with the elapsed milliseconds and the upload's URL (not raw). */
window.benchUpload = async ({ client, input = 'file', size, chunkSize, parallel = 1, verify = false }) => {
  const blob = inputOf(input, size)
  const chunk = chunkSize === 'Infinity' ? Number.POSITIVE_INFINITY : chunkSize
  const endpoint = `${location.origin}/files/`
  const t0 = performance.now()
  let url
  if (client === 'raw') await uploadRaw(blob, chunk)
  else if (client === 'shuttle') url = await uploadShuttle(blob, endpoint, chunk, parallel, verify)
  else url = await uploadTus(blob, endpoint, chunk, parallel)
  return { ms: performance.now() - t0, url }
}
window.benchPrepare = ({ input = 'file', size }) => {
  inputOf(input, size)
  return true
}
document.getElementById('status').textContent = 'ready'
