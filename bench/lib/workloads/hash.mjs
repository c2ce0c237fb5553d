// Content hashing of one big file, in Node and in Chromium: Shuttle's identity (sha256-4m: Web
// Workers + WebCrypto in Chromium, node:crypto on the main thread or in worker threads in Node)
// against what 秒传 tutorials use (spark-md5 on the main thread), hash-wasm SHA-256 and MD5 on one
// thread, and WebCrypto's one-shot SHA-256 of the whole file in memory (a ceiling: no upload
// client can hold a 1 GiB file in memory). MiB/s and peak memory, min–max over reps.
// Node: every run is a fresh child (hash-child.mjs), peak = its maxRSS. Chromium: a fresh page per
// run hashing a disk-backed File; peak = the highest sum of VmRSS over Chromium's process tree
// during the run (sampled every 50 ms) minus the sum just before it.
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { promisify } from 'node:util'
import { cpuBetween, findBrowserPid, snapshot } from '../chromium-cpu.mjs'
import { generateFile } from '../files.mjs'
import { serveStatic } from '../static-files.mjs'
import { MiB } from '../stats.mjs'

const run = promisify(execFile)
const CHILD = new URL('../hash-child.mjs', import.meta.url).pathname
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const NODE_ALGOS = [
  {
    id: 'shuttle-threads',
    label: 'Shuttle identity (sha256-4m), worker threads × cores (default from 128 MiB), node:crypto',
  },
  {
    id: 'shuttle-main',
    label: 'Shuttle identity (sha256-4m), main thread (`threads: 1`; default below 128 MiB)',
  },
  { id: 'spark-md5', label: 'spark-md5, 2 MiB appends (秒传 tutorials)' },
  { id: 'hashwasm-sha256', label: 'hash-wasm SHA-256, one thread' },
  { id: 'hashwasm-md5', label: 'hash-wasm MD5, one thread' },
  { id: 'node-sha256', label: 'node:crypto SHA-256, one thread (plain SHA-256)' },
  { id: 'webcrypto-oneshot', label: 'WebCrypto SHA-256 one-shot, whole file in memory (ceiling)' },
]
export const BROWSER_ALGOS = [
  { id: 'shuttle', label: 'Shuttle identity (sha256-4m), Web Workers × hardwareConcurrency, WebCrypto' },
  { id: 'shuttle-1-worker', label: 'Shuttle identity, 1 Web Worker' },
  {
    id: 'webcrypto-blocks',
    label: 'sha256-4m on the page, WebCrypto per 512 KiB leaf, one 4 MiB block at a time',
  },
  { id: 'spark-md5', label: 'spark-md5, 2 MiB appends, page thread (秒传 tutorials)' },
  { id: 'hashwasm-sha256', label: 'hash-wasm SHA-256, page thread' },
  { id: 'hashwasm-md5', label: 'hash-wasm MD5, page thread' },
  { id: 'webcrypto-oneshot', label: 'WebCrypto SHA-256 one-shot, whole file in memory (ceiling)' },
]

const summarize = (size, runs) => {
  const mibs = runs.map((r) => size / MiB / (r.ms / 1000))
  const peaks = runs.map((r) => r.peakMiB)
  // CPU-seconds per GiB move much less with the machine's load than MiB/s do.
  const cpus = runs.map((r) => r.cpuS / (size / (1024 * MiB))).filter(Number.isFinite)
  return {
    runs,
    minMiBs: Math.min(...mibs),
    maxMiBs: Math.max(...mibs),
    peakMiB: Math.max(...peaks),
    minCpuPerGiB: cpus.length ? Math.min(...cpus) : Number.NaN,
    maxCpuPerGiB: cpus.length ? Math.max(...cpus) : Number.NaN,
  }
}

async function nodeRows({ path, size, reps, only, log }) {
  const out = []
  const results = new Map(NODE_ALGOS.map((a) => [a.id, []]))
  for (let rep = 0; rep < reps; rep++) {
    for (const algo of NODE_ALGOS) {
      if (only && !only.includes(algo.id)) continue
      const { stdout } = await run(process.execPath, [CHILD, algo.id, path], { maxBuffer: 1 << 20 })
      const r = JSON.parse(stdout.trim().split('\n').at(-1))
      results.get(algo.id).push({ ms: r.ms, cpuS: r.cpuS, peakMiB: r.maxRssMiB, digest: r.digest })
      log(
        `  node ${algo.id}: ${(size / MiB / (r.ms / 1000)).toFixed(0)} MiB/s, ${r.cpuS.toFixed(2)} CPU-s, peak RSS ${r.maxRssMiB.toFixed(0)} MiB`,
      )
    }
  }
  for (const algo of NODE_ALGOS) {
    const runs = results.get(algo.id)
    if (runs.length)
      out.push({ where: 'node', algo: algo.id, label: algo.label, size, ...summarize(size, runs) })
  }
  return out
}

/** VmRSS (MiB) summed over Chromium's process tree. */
function treeRssMiB(rootPid) {
  let kib = 0
  for (const pid of snapshot(rootPid).keys()) {
    try {
      const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)/m)
      if (m) kib += Number(m[1])
    } catch {
      // exited meanwhile
    }
  }
  return kib / 1024
}

async function browserRows({ path, size, reps, only, log }) {
  if (!existsSync(CHROMIUM)) {
    log(`  Chromium skipped: none at ${CHROMIUM}`)
    return []
  }
  const server = createServer(async (req, res) => {
    if (!(await serveStatic(req, res))) res.writeHead(404).end()
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const origin = `http://127.0.0.1:${server.address().port}`
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  })
  const results = new Map(BROWSER_ALGOS.map((a) => [a.id, []]))
  try {
    const rootPid = findBrowserPid()
    for (let rep = 0; rep < reps; rep++) {
      for (const algo of BROWSER_ALGOS) {
        if (only && !only.includes(algo.id)) continue
        const page = await browser.newPage()
        const errors = []
        page.on('pageerror', (e) => errors.push(e.message))
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
        await page.goto(`${origin}/bench/browser/hash.html`)
        await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready')
        await page.setInputFiles('#file', path)
        const base = rootPid ? treeRssMiB(rootPid) : Number.NaN
        let peak = base
        const sampler = setInterval(() => {
          if (rootPid) peak = Math.max(peak, treeRssMiB(rootPid))
        }, 50)
        let r
        let cpuS = Number.NaN
        try {
          const before = rootPid ? snapshot(rootPid) : undefined
          r = await page.evaluate((a) => window.benchHash(a), algo.id)
          // The whole browser tree: the browser process reads the File, the renderer hashes.
          if (before) cpuS = cpuBetween(before, snapshot(rootPid)).total
        } catch (err) {
          log(`  chromium ${algo.id}: failed (${String(err.message ?? err).split('\n')[0]})`)
        } finally {
          clearInterval(sampler)
          await page.close()
        }
        if (errors.length) log(`  chromium ${algo.id}: page errors: ${errors.join('; ')}`)
        if (!r) continue
        const peakMiB = peak - base
        results.get(algo.id).push({ ms: r.ms, cpuS, peakMiB, digest: r.digest })
        log(
          `  chromium ${algo.id}: ${(size / MiB / (r.ms / 1000)).toFixed(0)} MiB/s, ${cpuS.toFixed(2)} CPU-s, peak +${peakMiB.toFixed(0)} MiB`,
        )
      }
    }
  } finally {
    await browser.close()
    server.close()
  }
  const out = []
  for (const algo of BROWSER_ALGOS) {
    const runs = results.get(algo.id)
    if (runs.length)
      out.push({ where: 'chromium', algo: algo.id, label: algo.label, size, ...summarize(size, runs) })
  }
  return out
}

/** Every row; the identity must come out the same in Node and Chromium (the file is the same). */
export async function runHash({ tmpRoot, size, reps, only, log }) {
  const path = await generateFile(tmpRoot, 'hash.bin', size)
  const rows = [
    ...(await nodeRows({ path, size, reps, only, log })),
    ...(await browserRows({ path, size, reps, only, log })),
  ]
  const ids = new Set(
    rows.filter((r) => r.algo.startsWith('shuttle')).flatMap((r) => r.runs.map((x) => x.digest)),
  )
  if (ids.size > 1) throw new Error(`the identity differs between runs: ${[...ids].join(', ')}`)
  return rows
}

export function hashSection(rows) {
  if (!rows.length) return []
  const cpu = (r) =>
    Number.isFinite(r.minCpuPerGiB) ? `${r.minCpuPerGiB.toFixed(2)}–${r.maxCpuPerGiB.toFixed(2)}` : '–'
  const line = (r) =>
    `| ${r.where} | ${r.label} | ${r.minMiBs.toFixed(0)}–${r.maxMiBs.toFixed(0)} | ${cpu(r)} | ${Number.isFinite(r.peakMiB) ? r.peakMiB.toFixed(0) : '–'} |`
  return [
    `### Content hashing of one ${rows[0].size / MiB} MiB file (\`--only hash\`)`,
    "Min–max MiB/s and CPU-seconds per GiB over the reps (CPU: every thread of the Node child; Chromium's whole process tree). Peak memory: Node = the child's peak RSS; Chromium = the highest rise of the summed RSS of its process tree during the run.",
    [
      '| where | how | MiB/s | CPU-s/GiB | peak MiB |',
      '| --- | --- | ---: | ---: | ---: |',
      ...rows.map(line),
    ].join('\n'),
  ]
}

/** The target: Shuttle's identity at ≥ 1 GiB/s in Chromium (reported, never failing). */
export function hashTarget(rows) {
  const r = rows.find((x) => x.where === 'chromium' && x.algo === 'shuttle')
  if (!r) return []
  return [
    {
      name: 'Content identity in Chromium ≥ 1024 MiB/s',
      ok: r.maxMiBs >= 1024,
      detail: `${r.minMiBs.toFixed(0)}–${r.maxMiBs.toFixed(0)} MiB/s, peak +${r.peakMiB.toFixed(0)} MiB`,
    },
  ]
}
