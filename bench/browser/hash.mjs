// Content hashing of the disk-backed File in <input id="file">, one way per call (see
// bench/lib/workloads/hash.mjs). Every run hashes the whole file and returns the elapsed ms.
import { createBrowserIdentityHasher, createMainThreadHasher } from '@shuttle/core'
import { createMD5, createSHA256 } from 'hash-wasm'

const MiB = 1024 * 1024
const hex = (bytes) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('')
const webDigest = async (_, bytes) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))

/** The File as the engine's FileSource (what the uploader hands the hasher). */
const sourceOf = (file) => ({
  info: { name: file.name, type: file.type, size: file.size },
  body: (start, end) => file.slice(start, end),
  read: async (start, end) => new Uint8Array(await file.slice(start, end).arrayBuffer()),
  close: async () => {},
})

/** Reads the File `chunk` bytes at a time on the page's thread, as the tutorials do. */
async function eachChunk(file, chunk, fn) {
  for (let at = 0; at < file.size; at += chunk) fn(await file.slice(at, at + chunk).arrayBuffer())
}

const ALGOS = {
  shuttle: async (file) =>
    hex(
      await createBrowserIdentityHasher().hash({
        source: sourceOf(file),
        signal: new AbortController().signal,
      }),
    ),
  'shuttle-1-worker': async (file) =>
    hex(
      await createBrowserIdentityHasher({ workers: 1 }).hash({
        source: sourceOf(file),
        signal: new AbortController().signal,
      }),
    ),
  // The browser hasher with `workers` Web Workers (bench/hash-probe.mjs): `shuttle-workers=3`.
  'shuttle-workers': async (file, workers) =>
    hex(
      await createBrowserIdentityHasher({ workers: Number(workers) }).hash({
        source: sourceOf(file),
        signal: new AbortController().signal,
      }),
    ),
  'webcrypto-blocks': async (file) =>
    hex(
      await createMainThreadHasher(webDigest, 1).hash({
        source: sourceOf(file),
        signal: new AbortController().signal,
      }),
    ),
  'spark-md5': async (file) => {
    const spark = new window.SparkMD5.ArrayBuffer()
    await eachChunk(file, 2 * MiB, (b) => spark.append(b))
    return spark.end()
  },
  'hashwasm-sha256': async (file) => {
    const h = await createSHA256()
    await eachChunk(file, 4 * MiB, (b) => h.update(new Uint8Array(b)))
    return h.digest('hex')
  },
  'hashwasm-md5': async (file) => {
    const h = await createMD5()
    await eachChunk(file, 4 * MiB, (b) => h.update(new Uint8Array(b)))
    return h.digest('hex')
  },
  'webcrypto-oneshot': async (file) => hex(await crypto.subtle.digest('SHA-256', await file.arrayBuffer())),
}

window.benchHash = async (algo) => {
  const file = document.getElementById('file').files[0]
  const t0 = performance.now()
  const [name, spec] = algo.split('=')
  const digest = await ALGOS[name](file, spec)
  return { ms: performance.now() - t0, digest }
}
document.getElementById('status').textContent = 'ready'
