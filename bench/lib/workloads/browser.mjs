// The browser builds in headless Chromium: a Blob uploaded in one request and in 8 MiB chunks.
// Each run gets a fresh server child that also serves the page, so page and endpoint share an
// origin (no CORS preflights for either client).
import { existsSync } from 'node:fs'
import { startServer } from '../node-run.mjs'
import { unsupported } from '../pairs.mjs'
import { max, median } from '../stats.mjs'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const MODES = [
  { id: 'stream', label: '1 request', chunkSize: 'Infinity', parallel: 1 },
  { id: 'chunked', label: '8 MiB chunks', chunkSize: 8 * 1024 * 1024, parallel: 1 },
  {
    id: 'parallel',
    label: '8 MiB chunks × 4 parts',
    chunkSize: 8 * 1024 * 1024,
    parallel: 4,
    baseline: 'chunked',
  },
]

export async function runBrowser({ pairs, reps, tmpRoot, size, log }) {
  if (!existsSync(CHROMIUM)) {
    log(`  skipped: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`)
    return []
  }
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  })
  const runs = new Map()
  try {
    const page = await browser.newPage()
    const pageErrors = []
    page.on('pageerror', (err) => pageErrors.push(err.message))
    // A bare import the map does not cover shows up only here, as a console error.
    page.on('console', (msg) => msg.type() === 'error' && pageErrors.push(msg.text()))
    for (let rep = 0; rep < reps; rep++) {
      for (const mode of MODES) {
        for (const pair of pairs.map((_, i) => pairs[(i + rep) % pairs.length])) {
          if (unsupported(pair, mode)) continue
          const key = `${mode.id}/${pair.id}`
          const server = await startServer(pair.server, tmpRoot, { withStatic: true })
          let run
          try {
            await page.goto(`${server.origin}/bench/browser/index.html`)
            await page
              .waitForFunction(() => typeof window.benchUpload === 'function', null, { timeout: 30_000 })
              .catch((err) => {
                // This build's page never loads: stop the workload rather than time out on every row.
                const why = pageErrors.join('; ') || err.message
                throw Object.assign(new Error(`the bench page did not load: ${why}`), { fatal: true })
              })
            await page.evaluate((a) => window.benchPrepare(a), { size })
            await server.reset()
            const ms = await page.evaluate((a) => window.benchUpload(a), {
              client: pair.client,
              size,
              chunkSize: mode.chunkSize,
              parallel: mode.parallel,
            })
            run = { elapsedMs: ms, server: await server.stats() }
            log(
              `  ${mode.label.padEnd(16)} ${pair.label.padEnd(32)} ${(size / (ms / 1000) / 2 ** 20).toFixed(0)} MiB/s`,
            )
          } catch (err) {
            if (err?.fatal) throw err
            run = { error: String(err?.message ?? err).split('\n')[0] }
            log(`  ${mode.label.padEnd(16)} ${pair.label.padEnd(32)} ERROR ${run.error}`)
          } finally {
            await server.stop()
          }
          runs.set(key, [...(runs.get(key) ?? []), run])
        }
      }
    }
  } finally {
    await browser.close()
  }
  const rows = []
  for (const mode of MODES) {
    for (const pair of pairs) {
      const all = runs.get(`${mode.id}/${pair.id}`)
      if (!all) continue
      const ok = all.filter((r) => !r.error)
      rows.push({
        mode: mode.id,
        modeLabel: mode.label,
        baseline: mode.baseline,
        pair: pair.id,
        pairLabel: pair.label,
        size,
        runs: all.length,
        errors: all.length - ok.length,
        firstError: all.find((r) => r.error)?.error,
        throughput: median(ok.map((r) => size / (r.elapsedMs / 1000))),
        serverCpuPerGiB: median(ok.map((r) => r.server.cpuSeconds / (size / 2 ** 30))),
        serverRss: max(ok.map((r) => r.server.peakRss)),
        samples: ok.map((r) => size / (r.elapsedMs / 1000)),
      })
    }
  }
  return rows
}
