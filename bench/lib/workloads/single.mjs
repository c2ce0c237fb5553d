// One big file: one streamed request, 8 MiB chunks, 4 parallel parts (tus concatenation).
import { measureRun } from '../node-run.mjs'
import { unsupported } from '../pairs.mjs'
import { GiB, max, median } from '../stats.mjs'

export const MODES = [
  { id: 'stream', label: '1 request', chunkSize: 'Infinity', parallel: 1 },
  { id: 'chunked', label: '8 MiB chunks', chunkSize: 8 * 1024 * 1024, parallel: 1 },
  { id: 'parallel', label: '4 parallel parts', chunkSize: 'Infinity', parallel: 4 },
  // The one request with end-to-end verification (sha256 trailer + Repr-Digest check), the engine's
  // default against a server that offers it; every other row runs with checksum: false.
  { id: 'verify', label: '1 request, verified', chunkSize: 'Infinity', parallel: 1, verify: true },
  // 8 MiB chunks with end-to-end verification: Upload-Checksum on every PATCH.
  {
    id: 'chunked-verify',
    label: '8 MiB chunks, verified',
    chunkSize: 8 * 1024 * 1024,
    parallel: 1,
    verify: true,
  },
]

function summarize(runs, size) {
  const ok = runs.filter((r) => !r.error)
  return {
    runs: runs.length,
    errors: runs.length - ok.length,
    firstError: runs.find((r) => r.error)?.error,
    throughput: median(ok.map((r) => size / (r.client.elapsedMs / 1000))),
    cpuPerGiB: median(ok.map((r) => (r.client.cpuSeconds + r.server.cpuSeconds) / (size / GiB))),
    clientCpuPerGiB: median(ok.map((r) => r.client.cpuSeconds / (size / GiB))),
    serverCpuPerGiB: median(ok.map((r) => r.server.cpuSeconds / (size / GiB))),
    cpuSplitPerGiB: {
      clientUser: median(ok.map((r) => r.client.cpuSplit.user / (size / GiB))),
      clientSystem: median(ok.map((r) => r.client.cpuSplit.system / (size / GiB))),
      serverUser: median(ok.map((r) => r.server.cpuSplit.user / (size / GiB))),
      serverSystem: median(ok.map((r) => r.server.cpuSplit.system / (size / GiB))),
    },
    serverBaselineRss: max(ok.map((r) => r.server.baselineRss)),
    serverRss: max(ok.map((r) => r.server.peakRss)),
    clientRss: max(ok.map((r) => r.client.peakRss)),
    samples: ok.map((r) => size / (r.client.elapsedMs / 1000)),
    // Each repetition's CPU split per GiB, in run order: a slow repetition shows where its time went.
    perRun: ok.map((r) => ({
      mibs: size / 2 ** 20 / (r.client.elapsedMs / 1000),
      clientUser: r.client.cpuSplit.user / (size / GiB),
      clientSystem: r.client.cpuSplit.system / (size / GiB),
      serverUser: r.server.cpuSplit.user / (size / GiB),
      serverSystem: r.server.cpuSplit.system / (size / GiB),
      // The server's system calls, page faults and context switches per GiB (when it reports them).
      serverWork: r.server.work
        ? Object.fromEntries(Object.entries(r.server.work).map(([k, v]) => [k, Math.round(v / (size / GiB))]))
        : undefined,
    })),
  }
}

/** Repetitions are interleaved (rep 1 of every row, then rep 2, …) with the pair order rotated. */
export async function runSingle({ pairs, modes, reps, tmpRoot, path, size, profileDir, log }) {
  const runs = new Map()
  for (let rep = 0; rep < reps; rep++) {
    for (const mode of modes) {
      const order = pairs.map((_, i) => pairs[(i + rep) % pairs.length])
      for (const pair of order) {
        if (unsupported(pair, mode)) continue
        const key = `${mode.id}/${pair.id}`
        const config = {
          workload: 'file',
          path,
          size,
          chunkSize: mode.chunkSize,
          parallel: mode.parallel,
          verify: mode.verify === true,
        }
        let run
        try {
          // The first repetition of every row also checks the stored bytes by sha256.
          const verify = rep === 0
          run = await measureRun({ pair, tmpRoot, config, profileDir, tag: `${mode.id}-${rep + 1}`, verify })
          log(
            `  ${mode.label.padEnd(16)} ${pair.label.padEnd(32)} ${(size / (run.client.elapsedMs / 1000) / 2 ** 20).toFixed(0)} MiB/s`,
          )
        } catch (err) {
          run = { error: String(err?.message ?? err).split('\n')[0] }
          log(`  ${mode.label.padEnd(16)} ${pair.label.padEnd(32)} ERROR ${run.error}`)
        }
        runs.set(key, [...(runs.get(key) ?? []), run])
      }
    }
  }
  const rows = []
  for (const mode of modes) {
    for (const pair of pairs) {
      const why = unsupported(pair, mode)
      if (why) {
        rows.push({
          mode: mode.id,
          modeLabel: mode.label,
          baseline: mode.baseline,
          pair: pair.id,
          pairLabel: pair.label,
          size,
          unsupported: why,
        })
        continue
      }
      rows.push({
        mode: mode.id,
        modeLabel: mode.label,
        baseline: mode.baseline,
        pair: pair.id,
        pairLabel: pair.label,
        size,
        ...summarize(runs.get(`${mode.id}/${pair.id}`), size),
      })
    }
  }
  return rows
}

/** Peak RSS of the Shuttle pair at a small size, to show memory is flat in file size. */
export async function runRssScaling({ pair, modes, tmpRoot, path, size, log }) {
  const rows = []
  for (const mode of modes) {
    const config = {
      workload: 'file',
      path,
      size,
      chunkSize: mode.chunkSize,
      parallel: mode.parallel,
      verify: mode.verify === true,
    }
    try {
      const run = await measureRun({ pair, tmpRoot, config })
      rows.push({ mode: mode.id, size, serverRss: run.server.peakRss, clientRss: run.client.peakRss })
    } catch (err) {
      log(`  rss ${mode.label}: ERROR ${err?.message ?? err}`)
    }
  }
  return rows
}
