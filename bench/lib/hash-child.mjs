// One hashing run in a fresh process, so its peak RSS is its own: node hash-child.mjs <algo> <path>.
// Prints one JSON line { ms, cpuS, maxRssMiB, digest }.
import { createHash, webcrypto } from 'node:crypto'
import { open, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { createMD5, createSHA256 } from 'hash-wasm'

const require = createRequire(import.meta.url)
const [algo, path] = process.argv.slice(2)
const MiB = 1024 * 1024
const core = '../../packages/core/dist'

/** Reads the file in `chunk`-byte pieces into one reused buffer (what an incremental hasher wants). */
async function eachChunk(chunk, fn) {
  const fh = await open(path, 'r')
  const buf = Buffer.allocUnsafe(chunk)
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, chunk, null)
      if (bytesRead === 0) break
      fn(buf.subarray(0, bytesRead))
    }
  } finally {
    await fh.close()
  }
}

const ALGOS = {
  async 'shuttle-main'() {
    return identity({ threads: 1 })
  },
  async 'shuttle-threads'() {
    // The default thread count (one per core, at most 4), whatever the file's size (the quick
    // bench's 64 MiB is under the default 128 MiB threshold).
    return identity({ threadThreshold: 0 })
  },
  async 'spark-md5'() {
    // As the tutorials do: SparkMD5.ArrayBuffer, appended 2 MiB at a time.
    const SparkMD5 = require('spark-md5')
    const spark = new SparkMD5.ArrayBuffer()
    await eachChunk(2 * MiB, (b) => spark.append(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)))
    return spark.end()
  },
  async 'hashwasm-sha256'() {
    const h = await createSHA256()
    await eachChunk(4 * MiB, (b) => h.update(b))
    return h.digest('hex')
  },
  async 'hashwasm-md5'() {
    const h = await createMD5()
    await eachChunk(4 * MiB, (b) => h.update(b))
    return h.digest('hex')
  },
  async 'node-sha256'() {
    const h = createHash('sha256')
    await eachChunk(4 * MiB, (b) => h.update(b))
    return h.digest('hex')
  },
  async 'webcrypto-oneshot'() {
    // The whole file in memory, one digest: a ceiling no upload client should pay for in memory.
    const all = await readFile(path)
    return Buffer.from(await webcrypto.subtle.digest('SHA-256', all)).toString('hex')
  },
}

async function identity(options) {
  const { createNodeIdentityHasher } = await import(`${core}/identity/node/node-hasher.js`)
  const { openPathSource } = await import(`${core}/node/path-source.js`)
  const source = await openPathSource(path, { name: 'bench', type: '' })
  const id = await createNodeIdentityHasher(options).hash({
    source,
    signal: new AbortController().signal,
  })
  return Buffer.from(id).toString('hex')
}

const run = ALGOS[algo]
if (!run) throw new Error(`unknown algorithm ${algo}`)
const c0 = process.cpuUsage()
const t0 = performance.now()
const digest = await run()
const ms = performance.now() - t0
// Every thread of this process (worker threads and libuv's pool included), not its start-up.
const c = process.cpuUsage(c0)
const cpuS = (c.user + c.system) / 1e6
console.log(JSON.stringify({ ms, cpuS, maxRssMiB: process.resourceUsage().maxRSS / 1024, digest }))
