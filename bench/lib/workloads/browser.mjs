// The browser builds in headless Chromium: a disk-backed File (or, with --browser-input blob, an
// in-memory Blob) uploaded in one request and in 8 MiB chunks. Each run gets a fresh server child
// that also serves the page, so page and endpoint share an origin (no CORS preflights for either
// client). In the same run, the "ceiling": the same input sent by raw XHR (Blob slices, progress
// listener) into a server that discards it, i.e. what Chromium's upload path allows any client;
// and the same into a server that only appends the bodies to a file.
// For every run, Chromium's own CPU time (its whole process tree, from /proc) is measured too.
import { existsSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { cpuBetween, findBrowserPid, KINDS, snapshot } from '../chromium-cpu.mjs'
import { generateFile } from '../files.mjs'
import { serverHandle, startServer, verifyStored } from '../node-run.mjs'
import { unsupported } from '../pairs.mjs'
import { spawnChild } from '../proc.mjs'
import { GiB, max, median } from '../stats.mjs'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const DISCARD = new URL('../discard-child.mjs', import.meta.url).pathname
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
  // The engine's defaults (checksums and content identity as the server offers them) against the
  // 8 MiB row without them; no ceiling of its own.
  {
    id: 'chunked-verify',
    label: '8 MiB chunks, verified',
    chunkSize: 8 * 1024 * 1024,
    parallel: 1,
    verify: true,
    baseline: 'chunked',
  },
]
// The ceilings run in the sequential modes; the 4-parts rows are held against the 8 MiB ones.
// 'discard' is the ceiling of Chromium's upload path; 'write' adds the cheapest server that stores
// the bytes (the page-cache copy every tus server pays), on the same cores.
export const CEILINGS = [
  { id: 'ceiling', label: 'raw XHR → discarding sink (ceiling)', client: 'raw', sink: 'discard' },
  { id: 'ceiling-write', label: 'raw XHR → sink writing a file', client: 'raw', sink: 'write' },
]
const hasCeiling = (mode) => mode.parallel === 1 && !mode.verify

/** A sink child (discard-child.mjs), with the same interface as startServer(). */
async function startSink(how, tmpRoot) {
  const directory = how === 'write' ? await mkdtemp(join(tmpRoot, 'sink-')) : undefined
  const child = spawnChild(DISCARD, directory ? ['write', directory] : [])
  const { port } = await child.next('ready', 30_000)
  return serverHandle(child, port, directory)
}

const mibs = (size, ms) => (size / (ms / 1000) / 2 ** 20).toFixed(0)

export async function runBrowser({ pairs, reps, tmpRoot, size, input = 'file', modes: only, log }) {
  const modes = MODES.filter((m) => !only || only.includes(m.id))
  if (!existsSync(CHROMIUM)) {
    log(`  skipped: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`)
    return []
  }
  if (!['file', 'blob'].includes(input)) throw new Error(`--browser-input must be file or blob, not ${input}`)
  // A File backed by this file: setInputFiles only hands Chromium the path (no copy), so every
  // page load gets the same File cheaply, and nothing is left in Chromium's blob storage.
  const path = input === 'file' ? await generateFile(tmpRoot, 'browser.bin', size) : undefined
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  })
  const runs = new Map()
  try {
    const browserPid = findBrowserPid()
    if (browserPid === undefined) log("  Chromium's browser process not found: its CPU is not measured")
    const page = await browser.newPage()
    const pageErrors = []
    page.on('pageerror', (err) => pageErrors.push(err.message))
    // A bare import the map does not cover shows up only here, as a console error.
    page.on('console', (msg) => msg.type() === 'error' && pageErrors.push(msg.text()))
    for (let rep = 0; rep < reps; rep++) {
      for (const mode of modes) {
        const entries = [...pairs, ...(hasCeiling(mode) ? CEILINGS : [])]
        for (const pair of entries.map((_, i) => entries[(i + rep) % entries.length])) {
          if (!pair.sink && unsupported(pair, mode)) continue
          const key = `${mode.id}/${pair.id}`
          const server = pair.sink
            ? await startSink(pair.sink, tmpRoot)
            : await startServer(pair.server, tmpRoot, { withStatic: true })
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
            if (path) await page.setInputFiles('#file', path)
            await page.evaluate((a) => window.benchPrepare(a), { input, size })
            await server.reset()
            const before = browserPid === undefined ? undefined : snapshot(browserPid)
            const { ms, url } = await page.evaluate((a) => window.benchUpload(a), {
              client: pair.client,
              input,
              size,
              chunkSize: mode.chunkSize,
              parallel: mode.parallel,
              verify: mode.verify === true,
            })
            const chromeCpu = before && cpuBetween(before, snapshot(browserPid))
            run = { elapsedMs: ms, server: await server.stats(), chromeCpu }
            if (pair.sink && run.server.bodyBytes !== size)
              throw new Error(`the sink received ${run.server.bodyBytes} of ${size} bytes`)
            // The first repetition of every tus row checks the stored bytes (the disk-backed File).
            if (!pair.sink && path && rep === 0) await verifyStored(url, path)
            const cpu = chromeCpu ? `, Chromium ${(chromeCpu.total / (size / GiB)).toFixed(2)} CPU-s/GiB` : ''
            log(`  ${mode.label.padEnd(22)} ${pair.label.padEnd(36)} ${mibs(size, ms)} MiB/s${cpu}`)
          } catch (err) {
            if (err?.fatal) throw err
            run = { error: String(err?.message ?? err).split('\n')[0] }
            log(`  ${mode.label.padEnd(22)} ${pair.label.padEnd(36)} ERROR ${run.error}`)
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
  const gib = size / GiB
  for (const mode of modes) {
    for (const pair of [...CEILINGS, ...pairs]) {
      const all = runs.get(`${mode.id}/${pair.id}`)
      if (!all) continue
      const ok = all.filter((r) => !r.error)
      const samples = ok.map((r) => size / (r.elapsedMs / 1000))
      const withCpu = ok.filter((r) => r.chromeCpu)
      const chromeCpuPerGiB = Object.fromEntries(
        [...KINDS, 'total'].map((k) => [k, median(withCpu.map((r) => r.chromeCpu[k] / gib))]),
      )
      rows.push({
        mode: mode.id,
        modeLabel: mode.label,
        baseline: mode.baseline,
        pair: pair.id,
        pairLabel: pair.label,
        sink: pair.sink,
        input,
        size,
        runs: all.length,
        errors: all.length - ok.length,
        firstError: all.find((r) => r.error)?.error,
        throughput: median(samples),
        // Per column medians over the runs: the kinds need not add up to the total exactly.
        chromeCpuPerGiB: withCpu.length ? chromeCpuPerGiB : undefined,
        serverCpuPerGiB: median(ok.map((r) => r.server.cpuSeconds / gib)),
        serverRss: max(ok.map((r) => r.server.peakRss)),
        samples,
        chromeCpuSamplesPerGiB: withCpu.map((r) =>
          Object.fromEntries([...KINDS, 'total'].map((k) => [k, Number((r.chromeCpu[k] / gib).toFixed(3))])),
        ),
      })
    }
  }
  return rows
}
