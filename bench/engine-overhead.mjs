#!/usr/bin/env node
// The engine's own cost per upload, without a network: an in-process HttpClient answers at once.
// A/B tool for scheduler/progress/fingerprint changes: CPU time here is not disturbed by other
// processes the way wall-clock throughput is.
// Usage: node bench/engine-overhead.mjs [--count 1000] [--size 1048576] [--concurrency 200]
import { randomFillSync } from 'node:crypto'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    size: { type: 'string', default: String(1024 * 1024) },
    concurrency: { type: 'string', default: '200' },
    reps: { type: 'string', default: '5' },
  },
})
const count = Number(values.count)
const size = Number(values.size)
const concurrency = Number(values.concurrency)
const core = await import(process.env.BENCH_CORE ?? '@shuttle/core')

function instantHttpClient() {
  let n = 0
  const reply = (status, headers) => ({ status, header: (k) => headers[k.toLowerCase()], body: '' })
  return {
    async send(req) {
      if (req.method === 'POST')
        return reply(201, { location: `http://x/files/${++n}`, 'tus-resumable': '1.0.0' })
      if (req.method === 'PATCH') {
        const b = req.body
        const len = b?.kind === 'bytes' ? b.bytes.byteLength : b ? b.end - b.start : 0
        // Touch the bytes the way a real client would hand them to a socket.
        if (b?.kind === 'range' && b.source.stream) for await (const _ of b.source.stream(b.start, b.end));
        req.onUploadProgress?.(len)
        const offset = Number(req.headers['Upload-Offset']) + len
        return reply(204, { 'upload-offset': String(offset), 'tus-resumable': '1.0.0' })
      }
      if (req.method === 'HEAD') return reply(200, { 'upload-offset': '0', 'tus-resumable': '1.0.0' })
      if (req.method === 'OPTIONS')
        return reply(204, { 'tus-resumable': '1.0.0', 'tus-extension': 'creation,termination' })
      return reply(404, {})
    },
  }
}

const STEP = 64
const base = randomFillSync(Buffer.alloc(size + count * STEP))
async function once() {
  const uploader = core.createUploader({
    endpoint: 'http://x/files/',
    maxConcurrentUploads: concurrency,
    httpClient: instantHttpClient(),
    retryDelays: [],
  })
  let left = count
  const done = new Promise((resolve, reject) => {
    uploader.on('completed', () => --left === 0 && resolve())
    uploader.on('failed', ({ error }) => reject(error))
  })
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  uploader.add(
    Array.from({ length: count }, (_, i) => ({
      data: base.subarray(i * STEP, i * STEP + size),
      name: `f${i}`,
    })),
  )
  await done
  const cpu = process.cpuUsage(c0)
  await uploader.destroy()
  return { ms: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1e6 }
}

const runs = []
for (let i = 0; i < Number(values.reps); i++) runs.push(await once())
const cpus = runs.map((r) => r.cpu).sort((a, b) => a - b)
console.log(
  `${count} uploads × ${size} B, ${concurrency} at once: engine CPU median ${cpus[cpus.length >> 1].toFixed(3)} s (min ${cpus[0].toFixed(3)}), ${((cpus[cpus.length >> 1] / count) * 1e3).toFixed(2)} ms per upload`,
)
