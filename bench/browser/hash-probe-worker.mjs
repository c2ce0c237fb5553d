// bench/hash-probe.mjs's worker: one measured way to read a File's bytes and/or hash them, posts
// { ms, readMs, hashMs, total? } back. Reads: 'ab' = slice(a,b).arrayBuffer(), 'byob' = a BYOB
// reader of slice(a,b).stream() into one reused buffer per lane, 'frs' = FileReaderSync; op
// 'stream-range' streams ranges of `range` bytes and hashes 4 MiB blocks as they fill; op
// 'digest-only' hashes one in-memory 4 MiB buffer over and over (no reading).
import { createSHA256 } from '/node_modules/hash-wasm/dist/index.esm.js'

const B = 4 * 1024 * 1024
async function readByob(blob, lane) {
  const size = blob.size
  let reused = lane.buf
  if (!reused || reused.byteLength < size) reused = new ArrayBuffer(B)
  const reader = blob.stream().getReader({ mode: 'byob' })
  let at = 0
  let buf = reused
  while (at < size) {
    const { value, done } = await reader.read(new Uint8Array(buf, at, size - at))
    if (done) break
    buf = value.buffer
    at += value.byteLength
  }
  reader.releaseLock()
  lane.buf = buf
  return new Uint8Array(buf, 0, size)
}
const frs = typeof FileReaderSync !== 'undefined' ? new FileReaderSync() : undefined
let wasm
const READERS = {
  ab: async (blob) => new Uint8Array(await blob.arrayBuffer()),
  byob: readByob,
  frs: async (blob) => new Uint8Array(frs.readAsArrayBuffer(blob)),
  none: async () => new Uint8Array(0),
}
const HASHERS = {
  webcrypto: async (bytes) => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)),
  wasm: async (bytes) => {
    wasm ??= await createSHA256()
    wasm.init()
    wasm.update(bytes)
    return wasm.digest('binary')
  },
  none: async () => new Uint8Array(32),
}

globalThis.onmessage = async (e) => {
  const { op, file, blocks, read, hash, inflight = 1 } = e.data
  const t0 = performance.now()
  if (op === 'digest-only') {
    // hash the same buffer (4 MiB, or `blockBytes`) `blocks.length` times, `inflight` at once
    const buf = new Uint8Array(e.data.blockBytes ?? B)
    crypto.getRandomValues(buf.subarray(0, 65536))
    let next = 0
    const lane = async () => {
      while (next < blocks.length) {
        next++
        await HASHERS[hash](buf)
      }
    }
    await Promise.all(Array.from({ length: inflight }, lane))
    postMessage({ ms: performance.now() - t0 })
    return
  }
  if (op === 'stream-range') {
    // BYOB streams over ranges of `e.data.range` bytes of this worker's share, blocks of 4 MiB (or
    // `blockBytes`) filled in one reused buffer and hashed as they fill
    const { from, to, range, blockBytes = B } = e.data
    let buf = new ArrayBuffer(blockBytes)
    let total = 0
    let hashMs = 0
    const out = []
    for (let a = from; a < to; a += range) {
      const reader = file
        .slice(a, Math.min(to, a + range))
        .stream()
        .getReader({ mode: 'byob' })
      let fill = 0
      for (;;) {
        const { value, done } = await reader.read(new Uint8Array(buf, fill, blockBytes - fill))
        if (value) buf = value.buffer
        if (done) break
        fill += value.byteLength
        total += value.byteLength
        if (fill === blockBytes) {
          const h0 = performance.now()
          out.push(await HASHERS[hash](new Uint8Array(buf, 0, fill)))
          hashMs += performance.now() - h0
          fill = 0
        }
      }
      if (fill) out.push(await HASHERS[hash](new Uint8Array(buf, 0, fill)))
    }
    postMessage({ ms: performance.now() - t0, readMs: 0, hashMs, total })
    return
  }
  // read (+hash) file blocks listed, `inflight` lanes
  const digests = {}
  let next = 0
  let readMs = 0
  let hashMs = 0
  const lane = async () => {
    const me = {}
    while (next < blocks.length) {
      const i = blocks[next++]
      const a = i * B
      const r0 = performance.now()
      const bytes = await READERS[read](file.slice(a, Math.min(file.size, a + B)), me)
      const r1 = performance.now()
      digests[i] = await HASHERS[hash](bytes)
      hashMs += performance.now() - r1
      readMs += r1 - r0
    }
  }
  await Promise.all(Array.from({ length: inflight }, lane))
  postMessage({ ms: performance.now() - t0, readMs, hashMs, digests })
}
