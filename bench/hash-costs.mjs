// What hashing 1 GiB costs one Node thread, by algorithm (CPU-seconds per GiB, 4 MiB updates over
// the same buffer): the floor under "verified" uploads, where the client hashes the file's identity
// and the server hashes what it stores. Usage: node bench/hash-costs.mjs [reps=3]
import { createHash } from 'node:crypto'
import { loadavg } from 'node:os'
import * as zlib from 'node:zlib'
import { createBLAKE3, createXXHash128 } from 'hash-wasm'

const reps = Number(process.argv[2] ?? 3)
const buf = Buffer.alloc(4 * 1024 * 1024)
for (let i = 0; i < buf.length; i += 4) buf.writeUInt32LE((i * 2654435761) >>> 0, i)
const GIB_UPDATES = 256

const cases = [
  ...['sha256', 'sha1', 'sha512', 'md5'].map((name) => [
    `node:crypto ${name}`,
    () => {
      const h = createHash(name)
      for (let i = 0; i < GIB_UPDATES; i++) h.update(buf)
      h.digest()
    },
  ]),
]
// BLAKE3 as browsers could run it (WebAssembly, hash-wasm); XXH128 as the speed of a
// non-cryptographic hash in the same build.
for (const [name, make] of [
  ['hash-wasm BLAKE3 (WebAssembly)', createBLAKE3],
  ['hash-wasm XXH128 (not cryptographic)', createXXHash128],
]) {
  const h = await make()
  cases.push([
    name,
    () => {
      h.init()
      for (let i = 0; i < GIB_UPDATES; i++) h.update(buf)
      h.digest()
    },
  ])
}
// zlib.crc32 (Node ≥ 20.15): a checksum, not a cryptographic hash; here as the speed a
// non-cryptographic check reaches.
if (typeof zlib.crc32 === 'function')
  cases.push([
    'zlib.crc32 (not cryptographic)',
    () => {
      let c = 0
      for (let i = 0; i < GIB_UPDATES; i++) c = zlib.crc32(buf, c)
    },
  ])

const results = new Map()
for (let r = 0; r < reps; r++)
  for (const [name, run] of cases) {
    const c0 = process.cpuUsage()
    run()
    const c = process.cpuUsage(c0)
    const s = (c.user + c.system) / 1e6
    results.set(name, [...(results.get(name) ?? []), s])
  }
console.log(`Node ${process.version}, load ${loadavg()[0].toFixed(1)}; CPU-s per GiB, min–max of ${reps}:`)
for (const [name, v] of results)
  console.log(`  ${name.padEnd(38)} ${Math.min(...v).toFixed(3)}–${Math.max(...v).toFixed(3)}`)
