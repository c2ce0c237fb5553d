import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// `npm run bench` is a deliverable, not a script on the side: its quick run (every workload, pair
// and mode, Chromium included, small sizes) must keep working, verify what it stored, and report
// every figure. Figures are checked for being measured, never for being fast: speed is the bench's
// to report.

const RUN = fileURLToPath(new URL('../run.mjs', import.meta.url))
const MiB = 1024 * 1024

const PAIRS = ['peer', 'shuttle', 'shuttle-tus', 'tusjs-shuttle']

interface Row {
  pair: string
  mode?: string
  errors?: number
  error?: string
  unsupported?: string
  throughput?: number
  cpuPerGiB?: number
  serverRss?: number
  clientRss?: number
}

let dir: string
let stdout = ''
let code: number | null = null
let results: {
  limits: { loopback: number; disk: number; min: number }
  floor: { throughput: number; cpuPerGiB: number }
  single: Row[]
  rss: Array<{ mode: string; serverRss: number; clientRss: number }>
  browser?: Row[]
  browserError?: string
  many: Array<Row & { uploadsPerSecond: number; p50: number; p99: number; count: number }>
  resume: Array<Row & { resent: number; chunk: number; size: number; killedAt: number }>
  targets: Array<{ name: string; ok: boolean; detail: string }>
  hash: Array<{
    where: string
    algo: string
    minMiBs: number
    minCpuPerGiB: number
    peakMiB: number
    runs: Array<{ digest: string }>
  }>
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shuttle-bench-test-'))
  const out = join(dir, 'r.json')
  const child = spawn(process.execPath, [RUN, '--quick', '--out', out], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString()
  })
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  code = await new Promise((resolve) => child.on('exit', resolve))
  if (code !== 0) throw new Error(`bench exited ${code}:\n${stderr.slice(-2000)}`)
  results = JSON.parse(await readFile(out, 'utf8'))
}, 300_000)

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('npm run bench -- --quick', () => {
  it('hashes the same file every way in Node and Chromium, and the identity is the same in both', () => {
    const rows = results.hash.map((r) => `${r.where}/${r.algo}`).sort()
    expect(rows).toEqual(
      [
        ...[
          'shuttle-main',
          'shuttle-threads',
          'spark-md5',
          'hashwasm-sha256',
          'hashwasm-md5',
          'node-sha256',
          'webcrypto-oneshot',
        ].map((a) => `node/${a}`),
        ...[
          'shuttle',
          'shuttle-1-worker',
          'webcrypto-blocks',
          'spark-md5',
          'hashwasm-sha256',
          'hashwasm-md5',
          'webcrypto-oneshot',
        ].map((a) => `chromium/${a}`),
      ].sort(),
    )
    for (const r of results.hash) {
      expect(r.minMiBs).toBeGreaterThan(0)
      expect(r.minCpuPerGiB).toBeGreaterThan(0)
      // Node: the child's whole peak RSS; Chromium: the rise during the run (a 64 MiB file may add ~0).
      if (r.where === 'node') expect(r.peakMiB).toBeGreaterThan(0)
      else expect(Number.isFinite(r.peakMiB)).toBe(true)
    }
    const digest = (where: string, algo: string) =>
      results.hash.find((r) => r.where === where && r.algo === algo)?.runs[0]?.digest
    // Four implementations of sha256-4m, one value; and plain SHA-256 equal in Node and Chromium.
    const identity = digest('node', 'shuttle-main')
    expect(identity).toMatch(/^[0-9a-f]{64}$/)
    for (const [w, a] of [
      ['node', 'shuttle-threads'],
      ['chromium', 'shuttle'],
      ['chromium', 'shuttle-1-worker'],
      ['chromium', 'webcrypto-blocks'],
    ])
      expect(digest(w!, a!)).toBe(identity)
    expect(digest('chromium', 'webcrypto-oneshot')).toBe(digest('node', 'node-sha256'))
    expect(digest('chromium', 'hashwasm-sha256')).toBe(digest('node', 'node-sha256'))
    expect(digest('chromium', 'spark-md5')).toBe(digest('node', 'hashwasm-md5'))
  })

  it('measures the machine limits and the Node floor', () => {
    expect(results.limits.loopback).toBeGreaterThan(0)
    expect(results.limits.disk).toBeGreaterThan(0)
    expect(results.limits.min).toBe(Math.min(results.limits.loopback, results.limits.disk))
    expect(results.floor.throughput).toBeGreaterThan(0)
    expect(results.floor.cpuPerGiB).toBeGreaterThan(0)
  })

  it('uploads one file per pair and mode with stored bytes verified by sha256, and reports speed, CPU and RSS', () => {
    const rows = results.single.map((r) => `${r.mode}/${r.pair}${r.unsupported ? ' (n/a)' : ''}`).sort()
    expect(rows).toEqual([
      // End-to-end verification needs a Shuttle client and server.
      'chunked-verify/peer (n/a)',
      'chunked-verify/shuttle',
      'chunked-verify/shuttle-tus (n/a)',
      'chunked-verify/tusjs-shuttle (n/a)',
      ...PAIRS.map((p) => `chunked/${p}`),
      'parallel/peer (n/a)', // @tus/server has no concatenation
      'parallel/shuttle',
      'parallel/shuttle-tus (n/a)',
      'parallel/tusjs-shuttle',
      ...PAIRS.map((p) => `stream/${p}`),
      'verify/peer (n/a)',
      'verify/shuttle',
      'verify/shuttle-tus (n/a)',
      'verify/tusjs-shuttle (n/a)',
    ])
    for (const r of results.single.filter((row) => !row.unsupported)) {
      // A row whose stored bytes differ from the file's counts as an error (bench/lib/node-run.mjs).
      expect(r.errors, `${r.mode}/${r.pair}: ${r.error ?? ''}`).toBe(0)
      expect(r.throughput).toBeGreaterThan(0)
      expect(r.cpuPerGiB).toBeGreaterThan(0)
      expect(r.serverRss).toBeGreaterThan(10 * MiB)
      expect(r.clientRss).toBeGreaterThan(10 * MiB)
    }
    expect(results.rss.map((r) => r.mode).sort()).toEqual([
      'chunked',
      'chunked-verify',
      'parallel',
      'stream',
      'verify',
    ])
  })

  it('runs the concurrent uploads without errors and reports latency', () => {
    expect(results.many.map((r) => r.pair).sort()).toEqual(PAIRS)
    for (const r of results.many) {
      expect(r.errors, r.pair).toBe(0)
      expect(r.uploadsPerSecond).toBeGreaterThan(0)
      expect(r.p50).toBeGreaterThan(0)
      expect(r.p99).toBeGreaterThanOrEqual(r.p50)
    }
  })

  it('kills the client mid-file, resumes it, and counts the bytes sent twice', () => {
    expect(results.resume.map((r) => r.pair).sort()).toEqual(PAIRS)
    for (const r of results.resume) {
      expect(r.error, r.pair).toBeUndefined()
      expect(r.killedAt).toBeGreaterThan(0)
      expect(r.killedAt).toBeLessThan(r.size)
      expect(r.resent).toBeGreaterThanOrEqual(0)
      expect(r.resent).toBeLessThan(r.size)
    }
    // Shuttle's own pair resumes from the offset its checkpoint names: at most one chunk again.
    const shuttle = results.resume.find((r) => r.pair === 'shuttle')
    expect(shuttle?.resent).toBeLessThanOrEqual(shuttle?.chunk ?? 0)
  })

  it('uploads the same File in Chromium with both clients and the raw-XHR ceilings, stored bytes verified', () => {
    expect(results.browserError).toBeUndefined()
    const rows = (results.browser ?? []).map((r) => `${r.mode}/${r.pair}`).sort()
    const withCeilings = [...PAIRS, 'ceiling', 'ceiling-write'].sort()
    expect(rows).toEqual([
      'chunked-verify/shuttle', // the engine's defaults: checksums and identity
      ...withCeilings.map((p) => `chunked/${p}`),
      'parallel/shuttle',
      'parallel/tusjs-shuttle',
      ...withCeilings.map((p) => `stream/${p}`),
    ])
    for (const r of results.browser ?? []) {
      expect(r.errors, `${r.mode}/${r.pair}: ${r.error ?? ''}`).toBe(0)
      expect(r.throughput).toBeGreaterThan(0)
    }
  })

  it('prints the markdown tables and the targets', () => {
    expect(stdout).toContain('| Shuttle → Shuttle |')
    expect(stdout).toContain('| tus-js-client → @tus/server |')
    expect(stdout).toContain('| Shuttle client → @tus/server |')
    expect(stdout).toContain('| tus-js-client → Shuttle server |')
    expect(stdout).toContain('### Chromium (headless)')
    expect(results.targets.length).toBeGreaterThan(0)
    for (const t of results.targets) expect(t.detail, t.name).not.toBe('')
  })
})

describe('npm run bench with a mistaken option', () => {
  it.each([
    [['--only', 'singel'], /--only: unknown "singel"; one or more of limits,single/],
    [['--pairs', 'shuttle,tus'], /--pairs: unknown "tus"/],
    [['--reps', '0'], /--reps must be a whole number ≥ 1/],
    [['--frob'], /Unknown option '--frob'/],
  ])('%j stops before measuring anything, names the option and shows the usage', async (args, message) => {
    const child = spawn(process.execPath, [RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    const exit = await new Promise((resolve) => child.on('exit', resolve))
    expect(exit).toBe(2)
    expect(stderr).toMatch(message)
    expect(stderr).toContain('Usage: npm run bench')
    expect(stderr).not.toContain('machine limits')
  })
})
