// One client workload in its own process (so its CPU and memory are measured apart from the
// server, and so it can be SIGKILLed mid-upload). Usage: node client-child.mjs '<json config>'
// Messages out: progress {bytes} (about 10 per second, and at once past config.tellAt), done {elapsedMs, cpuSeconds, peakRss, ...}.
import { randomFillSync } from 'node:crypto'
import {
  cpuSecondsSince,
  cpuSplitSince,
  peakRss,
  reportFailures,
  tell,
  workCounters,
  workSince,
} from './child-stats.mjs'

reportFailures()
const config = JSON.parse(process.argv[2])
const chunkSize = config.chunkSize === 'Infinity' ? Number.POSITIVE_INFINITY : config.chunkSize
const client = await import(config.client === 'shuttle' ? './clients/shuttle.mjs' : './clients/tus-js.mjs')

let lastTell = 0
let crossed = false
const onProgress = (bytes) => {
  const now = performance.now()
  // The first report past config.tellAt goes out at once: the parent kills us on it (resume), and a
  // fast upload would otherwise be done before the next 100 ms report.
  const crossing = !crossed && config.tellAt !== undefined && bytes >= config.tellAt
  if (now - lastTell < 100 && !crossing) return
  crossed ||= crossing
  lastTell = now
  tell({ type: 'progress', bytes })
}

const cpuBase = process.cpuUsage()
const workBase = workCounters()
const t0 = performance.now()
let result
if (config.workload === 'many') {
  // Distinct bytes per upload (a sliding window over one random buffer), as real files would be:
  // identical bytes would share a content fingerprint.
  const STEP = 64
  const base = randomFillSync(Buffer.alloc(config.size + config.count * STEP))
  const dataFor = (i) => base.subarray(i * STEP, i * STEP + config.size)
  const t1 = performance.now()
  const many = await client.uploadMany({ ...config, dataFor, chunkSize })
  result = { ...many, elapsedMs: performance.now() - t1 }
} else {
  const file = await client.uploadFile({ ...config, chunkSize, onProgress })
  result = { url: file.url, elapsedMs: performance.now() - t0 }
}
await tell({
  type: 'done',
  ...result,
  cpuSeconds: cpuSecondsSince(cpuBase),
  cpuSplit: cpuSplitSince(cpuBase),
  work: workSince(workBase),
  peakRss: peakRss(),
})
// Leave explicitly (keep-alive sockets would hold us); --cpu-prof still writes its profile.
process.exit(0)
