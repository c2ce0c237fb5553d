// The page's own work for many small files, apart from the machine's load:
// node bench/many-files-trace.mjs [count=2000] [repo root=this one]
// Drops `count` files of 1 KiB on the built demo in Chromium (as e2e/many-files.e2e.test.ts does),
// traces the renderer's main thread and prints each task's thread CPU time (the long-task observer
// of the e2e test sees wall time, which on a shared machine is mostly waiting for a core) and the
// server's CPU per file. A second repo root (another checkout, built) compares two versions.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { shuttleServeArgs, startChild } from './lib/start-child.mjs'

const count = Number(process.argv[2] ?? 2000)
const root = process.argv[3] ?? fileURLToPath(new URL('..', import.meta.url))
const { chromium } = createRequire(join(root, 'package.json'))('playwright-core')
const dir = mkdtempSync(join(tmpdir(), 'shuttle-many-trace-'))
const { child: server, endpoint } = await startChild(
  shuttleServeArgs(
    [
      '--dir',
      join(dir, 'uploads'),
      '--static',
      join(root, 'apps/demo/dist'),
      '--rate-limit',
      'off',
      '--max-concurrent',
      'off',
    ],
    root,
  ),
)
const origin = new URL(endpoint).origin
/** User + system seconds of the server process. */
const serverCpu = () => {
  const f = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(f[11]) + Number(f[12])) / 100
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
})
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  await page.goto(`${origin}/?concurrency=6`)
  await page.locator('.shuttle-upload').waitFor()
  const loadBefore = loadavg()[0]
  // Only top-level tasks: a whole run of 10 000 files with more categories exceeds a JS string.
  await browser.startTracing(page, { categories: ['toplevel'] })
  const cpu0 = serverCpu()
  const t0 = Date.now()
  await page.evaluate((n) => {
    const dt = new DataTransfer()
    const bytes = new Uint8Array(1024)
    for (let i = 0; i < n; i++) {
      bytes[0] = i & 255
      bytes[1] = i >> 8
      dt.items.add(new File([bytes], `small-${i}.bin`, { type: 'application/octet-stream' }))
    }
    setTimeout(() => {
      const drop = new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true })
      document.querySelector('.shuttle-dragger').dispatchEvent(drop)
    }, 50)
  }, count)
  const done = () =>
    page.evaluate(() =>
      Number(/(\d+) done/.exec(document.querySelector('.demo__toolbar')?.textContent ?? '')?.[1] ?? 0),
    )
  // Polled: the page has no event for "all done" that a test-free script could wait on.
  while ((await done()) < count) await new Promise((r) => setTimeout(r, 250))
  const seconds = (Date.now() - t0) / 1000
  const serverSeconds = serverCpu() - cpu0
  const { traceEvents } = JSON.parse((await browser.stopTracing()).toString())
  const threadNames = new Map()
  for (const e of traceEvents) if (e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args.name)
  const tasks = traceEvents.filter(
    (e) =>
      e.name === 'ThreadControllerImpl::RunTask' &&
      e.ph === 'X' &&
      threadNames.get(`${e.pid}:${e.tid}`) === 'CrRendererMain',
  )
  const cpuMs = tasks.map((e) => (e.tdur ?? 0) / 1000).sort((a, b) => b - a)
  const wallMs = tasks.map((e) => e.dur / 1000).sort((a, b) => b - a)
  const round = (x) => Math.round(x * 10) / 10
  console.log(
    JSON.stringify({
      root,
      count,
      seconds,
      loadAverage: [loadBefore, loadavg()[0]].map(round),
      pageCpuMsPerFile: round((cpuMs.reduce((a, b) => a + b, 0) / count) * 100) / 100,
      serverCpuMsPerFile: round((serverSeconds * 1000 * 100) / count) / 100,
      // The first is the test's own task that builds the Files (before the drop).
      heaviestTasksCpuMs: cpuMs.slice(0, 5).map(round),
      heaviestTasksWallMs: wallMs.slice(0, 5).map(round),
    }),
  )
} finally {
  await browser.close()
  server.kill('SIGTERM')
  await new Promise((r) => server.on('exit', r))
  rmSync(dir, { recursive: true, force: true })
}
