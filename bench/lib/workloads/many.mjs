// Many small uploads at once: `count` uploads of `size` bytes, at most `concurrency` in flight.
import { measureRun } from '../node-run.mjs'
import { max, median, percentile } from '../stats.mjs'

export async function runMany({ pairs, reps, tmpRoot, size, count, concurrency, profileDir, log }) {
  const runs = new Map()
  for (let rep = 0; rep < reps; rep++) {
    for (const pair of pairs.map((_, i) => pairs[(i + rep) % pairs.length])) {
      const config = { workload: 'many', size, count, concurrency }
      let run
      try {
        run = await measureRun({ pair, tmpRoot, config, profileDir, tag: `many-${rep + 1}` })
        const c = run.client
        log(
          `  ${pair.label.padEnd(32)} ${(count / (c.elapsedMs / 1000)).toFixed(0)} uploads/s, p99 ${percentile(c.latencies, 99).toFixed(0)} ms, ${c.errors} errors${c.firstError ? ` (${c.firstError})` : ''}`,
        )
      } catch (err) {
        run = { error: String(err?.message ?? err).split('\n')[0] }
        log(`  ${pair.label.padEnd(32)} ERROR ${run.error}`)
      }
      runs.set(pair.id, [...(runs.get(pair.id) ?? []), run])
    }
  }
  return pairs.map((pair) => {
    const all = runs.get(pair.id)
    const ok = all.filter((r) => !r.error)
    return {
      pair: pair.id,
      pairLabel: pair.label,
      count,
      concurrency,
      size,
      runs: all.length,
      failedRuns: all.length - ok.length,
      firstError: all.find((r) => r.error)?.error ?? ok.find((r) => r.client.firstError)?.client.firstError,
      uploadsPerSecond: median(ok.map((r) => r.client.latencies.length / (r.client.elapsedMs / 1000))),
      samples: ok.map((r) => r.client.latencies.length / (r.client.elapsedMs / 1000)),
      p50: median(ok.map((r) => percentile(r.client.latencies, 50))),
      p99: median(ok.map((r) => percentile(r.client.latencies, 99))),
      errors: ok.reduce((n, r) => n + r.client.errors, 0) + (all.length - ok.length) * count,
      requestsPerUpload: median(ok.map((r) => r.server.requests / count)),
      clientCpuSeconds: median(ok.map((r) => r.client.cpuSeconds)),
      serverCpuSeconds: median(ok.map((r) => r.server.cpuSeconds)),
      cpuSeconds: median(ok.map((r) => r.client.cpuSeconds + r.server.cpuSeconds)),
      serverRss: max(ok.map((r) => r.server.peakRss)),
      clientRss: max(ok.map((r) => r.client.peakRss)),
    }
  })
}
