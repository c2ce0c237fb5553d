#!/usr/bin/env node
// npm run bench [-- --quick]: Shuttle against @tus/server + tus-js-client, in one run.
import { rmSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readArgs, USAGE } from './lib/args.mjs'
import { checkDist } from './lib/check-dist.mjs'
import { generateFile } from './lib/files.mjs'
import { measureFloor } from './lib/floor.mjs'
import { measureLimits, warmPageCache } from './lib/limits.mjs'
import { PAIRS } from './lib/pairs.mjs'
import { renderMarkdown, targets } from './lib/report.mjs'
import { runMany } from './lib/workloads/many.mjs'
import { runResume } from './lib/workloads/resume.mjs'
import { MODES, runRssScaling, runSingle } from './lib/workloads/single.mjs'

const here = dirname(fileURLToPath(import.meta.url))
let args
try {
  args = readArgs()
} catch (err) {
  console.error(`bench: ${err.message}\n\n${USAGE}`)
  process.exit(2)
}
if (args.help) {
  console.log(USAGE)
  process.exit(0)
}
// The S3 row starts a Ceph RGW and moves 15 GiB: in full runs, and in --quick only when named.
const wants = (w) => (args.only ? args.only.includes(w) : w !== 's3' || !args.quick)
const pairs = PAIRS.filter((p) => !args.pairs || args.pairs.includes(p.id))
const modes = MODES.filter((m) => !args.modes || args.modes.includes(m.id))
const log = (line) => console.error(line)
const started = performance.now()
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`

try {
  await checkDist({
    needCore: pairs.some((p) => p.client === 'shuttle') || wants('browser') || wants('hash'),
  })
} catch (err) {
  console.error(`bench: ${err.message}`)
  process.exit(2)
}

const resultsDir = join(here, 'results')
await mkdir(resultsDir, { recursive: true })
const profileDir = args.profile ? join(resultsDir, 'profiles') : undefined
const tmpRoot = await mkdtemp(join(os.tmpdir(), 'shuttle-bench-'))
// Also on Ctrl-C / SIGTERM (proc.mjs kills the children, then exits): leave no temp files behind.
process.once('exit', () => rmSync(tmpRoot, { recursive: true, force: true }))
const cpu = os.cpus()
const results = {
  meta: {
    date: new Date().toISOString(),
    node: process.versions.node,
    cpus: cpu.length,
    cpuModel: cpu[0]?.model?.trim() ?? 'unknown',
    loadAverage: os.loadavg(),
    quick: args.quick,
    reps: args.reps,
    sizes: args.sizes,
  },
}

try {
  const { sizes } = args
  if (wants('limits')) {
    log(`[${elapsed()}] machine limits`)
    results.limits = await measureLimits(tmpRoot, args)
  } else {
    await warmPageCache(tmpRoot, args)
  }
  const needBig = ['single', 'resume', 'rss', 's3'].some(wants)
  const bigPath = needBig ? await generateFile(tmpRoot, 'big.bin', sizes.big) : undefined
  if (wants('single')) {
    log(`[${elapsed()}] Node floor: the same file over raw TCP into a file × ${args.reps}`)
    results.floor = await measureFloor(bigPath, tmpRoot, args.reps)
    log(
      `  ${(results.floor.throughput / 2 ** 20).toFixed(0)} MiB/s, ${results.floor.cpuPerGiB.toFixed(2)} CPU-s/GiB`,
    )
    log(`[${elapsed()}] one ${sizes.big / 2 ** 20} MiB file × ${args.reps}`)
    results.single = await runSingle({
      pairs,
      modes,
      reps: args.reps,
      tmpRoot,
      path: bigPath,
      size: sizes.big,
      profileDir,
      log,
    })
  }
  if (wants('rss') && pairs.some((p) => p.id === 'shuttle')) {
    log(`[${elapsed()}] peak RSS at ${sizes.rssSmall / 2 ** 20} MiB (flat in size?)`)
    const smallPath = await generateFile(tmpRoot, 'rss.bin', sizes.rssSmall)
    results.rss = await runRssScaling({
      pair: PAIRS[0],
      modes,
      tmpRoot,
      path: smallPath,
      size: sizes.rssSmall,
      log,
    })
  }
  if (wants('many')) {
    log(
      `[${elapsed()}] ${sizes.count} uploads of ${sizes.small / 2 ** 20} MiB, ${sizes.concurrency} at once × ${args.reps}`,
    )
    results.many = await runMany({
      pairs,
      reps: args.reps,
      tmpRoot,
      size: sizes.small,
      count: sizes.count,
      concurrency: sizes.concurrency,
      profileDir,
      log,
    })
  }
  if (wants('resume')) {
    log(`[${elapsed()}] resume after SIGKILL at ~50 %`)
    results.resume = await runResume({
      pairs,
      tmpRoot,
      path: bigPath,
      size: sizes.big,
      chunk: args.chunk,
      log,
    })
  }
  if (wants('hash')) {
    log(`[${elapsed()}] content hashing of one ${sizes.hash / 2 ** 20} MiB file × ${args.reps}`)
    const { runHash } = await import('./lib/workloads/hash.mjs')
    results.hash = await runHash({ tmpRoot, size: sizes.hash, reps: args.reps, log })
  }
  if (wants('browser')) {
    const input = args.browserInput === 'blob' ? 'in-memory Blob' : 'File'
    log(`[${elapsed()}] Chromium, ${sizes.browser / 2 ** 20} MiB ${input} × ${args.reps}`)
    const { runBrowser } = await import('./lib/workloads/browser.mjs')
    try {
      results.browser = await runBrowser({
        pairs,
        reps: args.reps,
        tmpRoot,
        size: sizes.browser,
        input: args.browserInput,
        modes: args.modes,
        log,
      })
    } catch (err) {
      results.browserError = String(err?.message ?? err)
      log(`  skipped: ${results.browserError}`)
    }
  }
  if (wants('s3')) {
    log(`[${elapsed()}] one ${sizes.big / 2 ** 20} MiB file onto Ceph RGW × ${args.reps}`)
    const { runS3 } = await import('./lib/workloads/s3.mjs')
    try {
      results.s3 = await runS3({ path: bigPath, size: sizes.big, reps: args.reps, log })
    } catch (err) {
      results.s3Error = String(err?.message ?? err)
      log(`  skipped: ${results.s3Error}`)
    }
  }
} finally {
  await rm(tmpRoot, { recursive: true, force: true })
}

results.targets = targets(results)
if (results.hash) {
  const { hashTarget } = await import('./lib/workloads/hash.mjs')
  results.targets.push(...hashTarget(results.hash))
}
results.meta.durationSeconds = Math.round((performance.now() - started) / 1000)
const markdown = renderMarkdown(results)
const out = args.out ?? join(resultsDir, 'latest.json')
await writeFile(out, `${JSON.stringify(results, null, 2)}\n`)
await writeFile(out.replace(/\.json$/, '.md'), `${markdown}\n`)
console.log(markdown)
log(`\n[${elapsed()}] wrote ${out}${profileDir ? ` and profiles in ${profileDir}` : ''}`)
process.exit(0)
