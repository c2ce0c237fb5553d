// Where Chromium's hashing time goes: node bench/hash-probe.mjs [sizeMiB=1024] [reps=2] [filter]
// Each case runs in a fresh page over a disk-backed File (setInputFiles) and prints MiB/s and the
// CPU-seconds of every Chromium thread that spent ≥ 0.05 s, by process kind and thread name (so
// reading — the browser process's ThreadPoolForeground + Chrome_IOThread, the renderer's
// Chrome_ChildIOThread — shows apart from hashing on the DedicatedWorker threads). CPU-seconds move
// much less with the machine's load than MiB/s do.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { findBrowserPid, snapshot } from './lib/chromium-cpu.mjs'
import { generateFile } from './lib/files.mjs'
import { serveStatic } from './lib/static-files.mjs'

/** CPU seconds per (process kind, thread name) in Chromium's tree. */
function threads(rootPid) {
  const out = new Map()
  for (const [pid, p] of snapshot(rootPid)) {
    // The process's own total counts threads that have exited too (the identity hasher's workers
    // are terminated before the second snapshot): what no live thread accounts for goes to
    // `<kind>:exited threads`.
    out.set(`${pid}/all`, { key: `${p.kind}:exited threads`, cpu: p.cpu, whole: true })
    let tids = []
    try {
      tids = readdirSync(`/proc/${pid}/task`)
    } catch {
      continue
    }
    for (const tid of tids) {
      try {
        const st = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
        const name = st.slice(st.indexOf('(') + 1, st.lastIndexOf(')'))
        const f = st.slice(st.lastIndexOf(')') + 2).split(' ')
        const cpu = (Number(f[11]) + Number(f[12])) / 100
        const key = `${p.kind}:${name.replace(/\d+$/, '#')}`
        out.set(`${pid}/${tid}`, { key, cpu })
      } catch {}
    }
  }
  return out
}
function diff(a, b) {
  const sum = new Map()
  const live = new Map()
  for (const [id, t] of b) {
    if (t.whole) continue
    const d = t.cpu - (a.get(id)?.cpu ?? 0)
    if (d > 0) sum.set(t.key, (sum.get(t.key) ?? 0) + d)
    const pid = id.split('/')[0]
    live.set(pid, (live.get(pid) ?? 0) + Math.max(0, d))
  }
  for (const [id, t] of b) {
    if (!t.whole) continue
    const pid = id.split('/')[0]
    const d = t.cpu - (a.get(id)?.cpu ?? 0) - (live.get(pid) ?? 0)
    if (d > 0) sum.set(t.key, (sum.get(t.key) ?? 0) + d)
  }
  return [...sum].filter(([, v]) => v >= 0.05).sort((x, y) => y[1] - x[1])
}

const sizeMiB = Number(process.argv[2] ?? 1024)
const reps = Number(process.argv[3] ?? 2)
const filter = process.argv[4]
const dir = mkdtempSync(join(tmpdir(), 'hash-probe-'))
const path = await generateFile(dir, 'f.bin', sizeMiB * 1048576)
const server = createServer(async (req, res) => {
  if (!(await serveStatic(req, res))) res.writeHead(404).end()
})
await new Promise((r) => server.listen(0, '127.0.0.1', r))
const origin = `http://127.0.0.1:${server.address().port}`
const { chromium } = await import('playwright-core')
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
})
const M = 1048576
const CASES = [
  // Reading only, 4 MiB slices (what the identity workers did before): page vs workers, 3 readers.
  ['page, slice.arrayBuffer()', 'probePage', { inflight: 1 }],
  ['2 workers, slice.arrayBuffer()', 'probe', { op: 'file', workers: 2, read: 'ab', hash: 'none' }],
  ['2 workers, slice BYOB', 'probe', { op: 'file', workers: 2, read: 'byob', hash: 'none' }],
  ['2 workers, FileReaderSync', 'probe', { op: 'file', workers: 2, read: 'frs', hash: 'none' }],
  // Reading only, one stream per larger range.
  ['1 worker, 16 MiB streams', 'probe', { op: 'stream-range', workers: 1, hash: 'none', range: 16 * M }],
  ['1 worker, 64 MiB streams', 'probe', { op: 'stream-range', workers: 1, hash: 'none', range: 64 * M }],
  ['1 worker, one stream', 'probe', { op: 'stream-range', workers: 1, hash: 'none', range: 2 ** 40 }],
  ['2 workers, one stream each', 'probe', { op: 'stream-range', workers: 2, hash: 'none', range: 2 ** 40 }],
  // Hashing only (4 MiB in memory, hashed over and over).
  ['1 worker, WebCrypto digest', 'probe', { op: 'digest-only', workers: 1, hash: 'webcrypto' }],
  ['2 workers, WebCrypto digest', 'probe', { op: 'digest-only', workers: 2, hash: 'webcrypto' }],
  // The same bytes in calls of other sizes: what one digest() call costs apart from SHA-256.
  [
    '1 worker, WebCrypto digest of 256 KiB',
    'probe',
    { op: 'digest-only', workers: 1, hash: 'webcrypto', blockBytes: M / 4 },
  ],
  [
    '1 worker, WebCrypto digest of 1 MiB',
    'probe',
    { op: 'digest-only', workers: 1, hash: 'webcrypto', blockBytes: M },
  ],
  [
    '1 worker, WebCrypto digest of 64 MiB',
    'probe',
    { op: 'digest-only', workers: 1, hash: 'webcrypto', blockBytes: 64 * M },
  ],
  ['1 worker, hash-wasm SHA-256', 'probe', { op: 'digest-only', workers: 1, hash: 'wasm' }],
  // Both.
  ['2 workers, 4 MiB BYOB + WebCrypto', 'probe', { op: 'file', workers: 2, read: 'byob', hash: 'webcrypto' }],
  ['4 workers, 4 MiB BYOB + WebCrypto', 'probe', { op: 'file', workers: 4, read: 'byob', hash: 'webcrypto' }],
  ['2 workers, 4 MiB BYOB + hash-wasm', 'probe', { op: 'file', workers: 2, read: 'byob', hash: 'wasm' }],
  [
    '2 workers, 64 MiB streams + WebCrypto',
    'probe',
    { op: 'stream-range', workers: 2, hash: 'webcrypto', range: 64 * M },
  ],
  ...[M / 2, 2 * M].map((b) => [
    `1 worker, WebCrypto digest of ${b / 1024} KiB`,
    'probe',
    { op: 'digest-only', workers: 1, hash: 'webcrypto', blockBytes: b },
  ]),
  ...[2, 4].flatMap((w) =>
    [M / 4, M / 2, 4 * M].map((b) => [
      `${w} workers, 64 MiB streams + WebCrypto per ${b / 1024} KiB`,
      'probe',
      { op: 'stream-range', workers: w, hash: 'webcrypto', range: 64 * M, blockBytes: b },
    ]),
  ),
  // The identity hasher itself (Web Workers, 64 MiB BYOB streams, WebCrypto per 512 KiB leaf), by
  // worker count. Measured too (2026-12-04 19:14, 1 GiB, load 9–12, 2 reps; the knobs were
  // removed again): segments of 16, 32, 128, 256 MiB 2.45–2.53, 2.16–2.55, 2.23–2.28, 2.14–2.41
  // CPU-s/GiB against 2.29–2.42 for 64 MiB; `slice().arrayBuffer()` per block 3.20–3.72 and
  // FileReaderSync per block 3.57–3.58 CPU-s/GiB.
  ...[2, 3, 4].map((w) => [`identity, ${w} workers`, 'identity', w]),
]
try {
  for (let rep = 0; rep < reps; rep++) {
    for (const [name, fn, arg] of CASES) {
      if (filter && !name.includes(filter)) continue
      const page = await browser.newPage()
      page.on('pageerror', (e) => console.log('pageerror', e.message))
      page.on('console', (m) => m.type() === 'error' && console.log('console', m.text()))
      await page.goto(`${origin}/bench/browser/${fn === 'identity' ? 'hash' : 'hash-probe'}.html`)
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready')
      await page.setInputFiles('#file', path)
      const rootPid = findBrowserPid()
      const t0 = threads(rootPid)
      const r =
        fn === 'identity'
          ? await page.evaluate(async (v) => {
              const { ms } = await window.benchHash(`shuttle-workers=${v}`)
              return { ms, mibs: document.getElementById('file').files[0].size / 1048576 / (ms / 1000) }
            }, arg)
          : await page.evaluate(([f, a]) => window[f](a), [fn, arg])
      const t1 = threads(rootPid)
      const d = diff(t0, t1)
      const total = d.reduce((x, [, v]) => x + v, 0)
      const per =
        r.per
          ?.map(
            (p) =>
              `${p.ms.toFixed(0)}${p.readMs !== undefined ? `(r${p.readMs.toFixed(0)}/h${p.hashMs.toFixed(0)})` : ''}`,
          )
          .join(' ') ?? ''
      console.log(
        `${name.padEnd(40)} ${r.mibs.toFixed(0).padStart(6)} MiB/s  cpu ${total.toFixed(2)}s  ${per}`,
      )
      console.log(
        '     ' +
          d
            .slice(0, 8)
            .map(([k, v]) => `${k}=${v.toFixed(2)}`)
            .join(' '),
      )
      await page.close()
    }
    console.log(
      'load',
      (await import('node:os'))
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' '),
    )
  }
} finally {
  await browser.close()
  server.close()
  rmSync(dir, { recursive: true })
}
