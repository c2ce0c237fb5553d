// Turns the results into markdown tables and a ✔/✘ list of targets.

import { PEER } from './pairs.mjs'
import { GiB, MiB, median } from './stats.mjs'
import { hashSection } from './workloads/hash.mjs'

const num = (v, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '–')
const mibs = (v) => num(v / MiB)
const mb = (v) => (Number.isFinite(v) ? `${(v / 1e6).toFixed(0)} MB` : '–')
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : Number.NaN)
const bytes = (v) =>
  v >= MiB ? `${num(v / MiB, 2)} MiB` : v >= 1024 ? `${num(v / 1024, 1)} KiB` : `${num(v)} B`
const x = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '–')
const sizeLabel = (bytes) => (bytes >= GiB ? `${num(bytes / GiB)} GiB` : `${num(bytes / MiB)} MiB`)

function table(head, rows) {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n')
}

// The peer row of the same workload; where the peer cannot run it (no concatenation at
// @tus/server), the row's `baseline` mode (default: one request) is used instead.
function peerOf(rows, row, key = 'mode') {
  const peer = rows.find((r) => r.pair === PEER && r[key] === row[key])
  if (peer && !peer.unsupported) return peer
  return rows.find((r) => r.pair === PEER && r[key] === (row.baseline ?? 'stream'))
}

// The Chromium ceiling (raw XHR into a discarding sink) of a row's mode, or of its baseline mode.
function ceilingOf(rows, row) {
  return (
    rows.find((r) => r.sink === 'discard' && r.mode === row.mode) ??
    rows.find((r) => r.sink === 'discard' && r.mode === row.baseline)
  )
}

export function targets(results) {
  const out = []
  const add = (name, ok, detail) => out.push({ name, ok: ok === undefined ? null : Boolean(ok), detail })
  for (const t of s3Targets(results.s3)) add(t.name, t.ok, t.detail)
  const { single = [], many = [], resume = [], browser = [], rss = [], limits, floor } = results
  for (const row of single.filter((r) => r.pair === 'shuttle')) {
    const peer = peerOf(single, row)
    const speed = ratio(row.throughput, peer?.throughput)
    const cpu = ratio(row.cpuPerGiB, peer?.cpuPerGiB)
    add(
      `${row.modeLabel}: throughput ≥ 1.5× peer`,
      Number.isFinite(speed) ? speed >= 1.5 : undefined,
      x(speed),
    )
    // How close any Node pair can get: the floor's own ratio to the same peer row.
    const floorCpu = floor ? ` (Node floor = ${x(ratio(floor.cpuPerGiB, peer?.cpuPerGiB))} peer)` : ''
    add(
      `${row.modeLabel}: CPU-s/GiB ≤ 0.5× peer`,
      Number.isFinite(cpu) ? cpu <= 0.5 : undefined,
      `${x(cpu)}${floorCpu}`,
    )
    if (limits) {
      const share = row.throughput / limits.min
      add(
        `${row.modeLabel}: ≥ 80 % of min(loopback, disk)`,
        Number.isFinite(share) ? share >= 0.8 : undefined,
        `${num(share * 100)} %`,
      )
    }
    const peak = Math.max(row.serverRss, row.clientRss)
    // Flat: at most 20 MB more than at the small size (GC timing alone moves RSS by that much).
    const small = rss.find((r) => r.mode === row.mode)
    const growth = small ? peak - Math.max(small.serverRss, small.clientRss) : Number.NaN
    const flat = small
      ? ` (at ${sizeLabel(small.size)}: server ${mb(small.serverRss)}, client ${mb(small.clientRss)}; +${mb(growth)})`
      : ''
    add(
      `${row.modeLabel}: peak RSS ≤ 100 MB at ${sizeLabel(row.size)} and flat in size (≤ +20 MB)`,
      Number.isFinite(peak) ? peak <= 100e6 && (!small || growth <= 20e6) : undefined,
      `server ${mb(row.serverRss)}, client ${mb(row.clientRss)}${flat}`,
    )
  }
  // Verification's price: the verified one request against the same request unverified.
  const verified = single.find((r) => r.pair === 'shuttle' && r.mode === 'verify')
  const plain = single.find((r) => r.pair === 'shuttle' && r.mode === 'stream')
  if (verified && plain) {
    const extra = ratio(verified.cpuPerGiB, plain.cpuPerGiB)
    add(
      '1 request, verified: CPU-s/GiB ≤ +20 % of unverified',
      Number.isFinite(extra) ? extra <= 1.2 : undefined,
      `${num(verified.cpuPerGiB, 2)} vs ${num(plain.cpuPerGiB, 2)} (${x(extra)}; client ${num(verified.clientCpuPerGiB, 2)} vs ${num(plain.clientCpuPerGiB, 2)}, server ${num(verified.serverCpuPerGiB, 2)} vs ${num(plain.serverCpuPerGiB, 2)})`,
    )
  }
  const ours = many.find((r) => r.pair === 'shuttle')
  const peerMany = many.find((r) => r.pair === PEER)
  if (ours) {
    const r = ratio(ours.uploadsPerSecond, peerMany?.uploadsPerSecond)
    add(`${ours.count} concurrent uploads: 0 errors`, ours.errors === 0, `${ours.errors} errors`)
    add(
      `${ours.count} concurrent uploads: uploads/s ≥ 1.5× peer`,
      Number.isFinite(r) ? r >= 1.5 : undefined,
      x(r),
    )
  }
  const res = resume.find((r) => r.pair === 'shuttle')
  if (res)
    add(
      'resume after kill re-sends ≤ one chunk',
      res.error ? false : res.resent <= res.chunk,
      res.error ?? `${bytes(res.resent)} re-sent`,
    )
  const ch = browser.find((r) => r.pair === 'shuttle' && r.mode === 'chunked')
  if (ch) {
    const peer = peerOf(browser, ch)
    const r = ratio(ch.throughput, peer?.throughput)
    // What any XHR client could reach in the same run: the bounds on this target.
    const ceil = ceilingOf(browser, ch)
    const write = browser.find((r) => r.sink === 'write' && r.mode === ch.mode)
    const vsPeer = (row) => `${x(ratio(row.throughput, peer?.throughput))} tus-js-client`
    const bound = ceil
      ? ` (ceiling = ${vsPeer(ceil)}: raw XHR ${mibs(ceil.throughput)} vs ${mibs(peer?.throughput)} MiB/s${write ? `; raw XHR into a sink writing a file = ${vsPeer(write)}` : ''})`
      : ''
    add(
      'Chromium, 8 MiB chunks: ≥ 2× tus-js-client',
      Number.isFinite(r) ? r >= 2 : undefined,
      `${x(r)}${bound}`,
    )
  }
  return out
}

/** Throughput (and CPU) ratios with one side held fixed: what the server, and the client, are worth. */
function judgedApart({ single = [], many = [], browser = [] }) {
  const out = []
  const fmt = (a, b, key, cpuKey) => {
    if (!a || !b || a.unsupported || b.unsupported) return 'n/a'
    const speed = x(ratio(a[key], b[key]))
    return cpuKey ? `${speed} speed, ${x(ratio(a[cpuKey], b[cpuKey]))} CPU` : speed
  }
  const find = (rows, pair, mode) =>
    rows.find((r) => r.pair === pair && (mode === undefined || r.mode === mode))
  for (const row of single.filter((r) => r.pair === PEER)) {
    const m = row.mode
    out.push({
      label: `${row.modeLabel} (Node)`,
      server: fmt(find(single, 'tusjs-shuttle', m), row, 'throughput', 'cpuPerGiB'),
      client: fmt(find(single, 'shuttle-tus', m), row, 'throughput', 'cpuPerGiB'),
    })
  }
  const peerMany = find(many, PEER)
  if (peerMany) {
    out.push({
      label: `${peerMany.count} uploads (uploads/s)`,
      server: fmt(find(many, 'tusjs-shuttle'), peerMany, 'uploadsPerSecond', 'cpuSeconds'),
      client: fmt(find(many, 'shuttle-tus'), peerMany, 'uploadsPerSecond', 'cpuSeconds'),
    })
  }
  for (const row of browser.filter((r) => r.pair === PEER)) {
    out.push({
      label: `${row.modeLabel} (Chromium)`,
      server: fmt(find(browser, 'tusjs-shuttle', row.mode), row, 'throughput'),
      client: fmt(find(browser, 'shuttle-tus', row.mode), row, 'throughput'),
    })
  }
  return out.filter((r) => r.server !== 'n/a' || r.client !== 'n/a')
}

/** min–max of a row's repetitions (throughput samples), or '–' for a single repetition. */
function spread(r, fmt = mibs) {
  return r.samples?.length > 1 ? `${fmt(Math.min(...r.samples))}–${fmt(Math.max(...r.samples))}` : '–'
}

/** The slowest repetition against the peer's median: a result counts when it holds in every repetition. */
function slowestVsPeer(r, peer) {
  return r.samples?.length > 1 && peer ? x(ratio(Math.min(...r.samples), peer.throughput)) : '–'
}

function chromiumSection(browser, limits) {
  const { size, input } = browser[0]
  const out = []
  out.push(
    input === 'blob'
      ? `### Chromium (headless), ${sizeLabel(size)} in-memory Blob built in the page, both clients in the same page`
      : `### Chromium (headless), ${sizeLabel(size)} disk-backed File (\`<input type=file>\`), both clients in the same page`,
  )
  const notes = [
    '*Ceiling*: the same input sent by raw XHR (Blob slices as bodies, one request at a time, an `upload.onprogress` listener attached as both clients do) into a server that reads and discards the body. Per request that is all an XHR-based client does on the wire, so it bounds what any client reaches through Chromium here. *Sink writing a file*: the same, into a server that only appends the bodies to one file (64 KiB writes): the page-cache copy that every tus server pays, without tus.',
    "*CPU-s/GiB*: Chromium = user + system time of the browser's whole process tree (from /proc) during the upload, per GiB uploaded; server = the server child (for the ceilings, the sink). Both run on the same cores, so when the machine is busy throughput follows their sum. Split of Chromium's time: browser process (reads the input, feeds the request body) / network service / renderer (the page's JavaScript) / other (GPU, zygote, storage; processes that exited). Medians per column, so the parts need not add up exactly.",
  ]
  if (browser.some((r) => r.baseline)) {
    notes.push(
      "The 4-parts rows (tus concatenation, which @tus/server lacks) are compared with the peer's and the ceiling's 8 MiB chunks rows; they send 4 requests at once, so they can exceed that ceiling.",
    )
  }
  out.push(notes.map((n) => `- ${n}`).join('\n'))
  const cpu = (r, k) => num(r.chromeCpuPerGiB?.[k], 2)
  const head = [
    'Workload',
    'Client → server',
    'MiB/s',
    'min–max',
    '% of ceiling',
    'Speed × peer',
    'CPU-s/GiB: Chromium + server',
    'Chromium: browser / network / renderer / other',
    ...(limits ? ['% of machine limit'] : []),
  ]
  const sum = (r) => r.chromeCpuPerGiB?.total + r.serverCpuPerGiB
  out.push(
    table(
      head,
      browser.map((r) => [
        r.modeLabel,
        r.sink ? `*${r.pairLabel}*` : r.pairLabel,
        r.errors ? `${mibs(r.throughput)} (${r.errors} failed)` : mibs(r.throughput),
        spread(r),
        `${num(ratio(r.throughput, ceilingOf(browser, r)?.throughput) * 100)} %`,
        x(ratio(r.throughput, peerOf(browser, r)?.throughput)),
        `${cpu(r, 'total')} + ${num(r.serverCpuPerGiB, 2)} = ${num(sum(r), 2)}`,
        ['browser', 'network', 'renderer', 'other'].map((k) => cpu(r, k)).join(' / '),
        ...(limits ? [`${num((r.throughput / limits.min) * 100)} %`] : []),
      ]),
    ),
  )
  return out
}

function floorRow(floor, single, limits) {
  const peer = single.find((r) => r.pair === PEER && r.mode === 'stream')
  const s = floor.split
  return [
    'floor',
    '*raw Node: file → TCP → file*',
    mibs(floor.throughput),
    spread(floor),
    limits ? `${num((floor.throughput / limits.min) * 100)} %` : '–',
    `${num(floor.cpuPerGiB, 2)} (${num(s.senderUser + s.senderSystem, 2)} + ${num(s.receiverUser + s.receiverSystem, 2)})`,
    '–',
    '–',
    x(ratio(floor.throughput, peer?.throughput)),
    slowestVsPeer(floor, peer),
    x(ratio(floor.cpuPerGiB, peer?.cpuPerGiB)),
  ]
}

export function renderMarkdown(results) {
  const { single = [], many = [], resume = [], browser = [], limits, floor, meta } = results
  const parts = []
  parts.push(
    `Run ${meta.date} · ${meta.cpus} × ${meta.cpuModel} · Node ${meta.node} · ${meta.quick ? 'QUICK (small sizes, not comparable)' : 'full'} · median of ${meta.reps} interleaved repetition(s)`,
  )
  if (limits) {
    parts.push(
      `Machine limits (same run, best of 3 probes): loopback TCP ${mibs(limits.loopback)} MiB/s · sequential write + fdatasync ${mibs(limits.disk)} MiB/s (${mibs(limits.diskCold)} MiB/s into cold page-cache memory, first probe) · min ${mibs(limits.min)} MiB/s`,
    )
  }
  if (single.length) {
    parts.push(`### One ${sizeLabel(single[0].size)} file`)
    if (single.some((r) => r.unsupported)) {
      parts.push('Where the peer cannot run a workload, the ratios use its one-request row.')
    }
    if (floor) {
      parts.push(
        "*Node floor*: the same file sent by one Node process over loopback TCP to another that writes it to a file, with nothing in between (no HTTP, no tus, no streams: sync 1 MiB reads, `onread` into one reused buffer, sync page-cache writes). The least CPU any Node client + server pair spends on this machine; its ratios are to the peer's one-request row.",
      )
    }
    parts.push(
      table(
        [
          'Workload',
          'Client → server',
          'MiB/s',
          'min–max',
          '% of limit',
          'CPU-s/GiB (client + server)',
          'Server RSS',
          'Client RSS',
          'Speed × peer',
          'slowest × peer',
          'CPU × peer',
        ],
        [...(floor ? [floorRow(floor, single, limits)] : []), ...single].map((r) => {
          if (Array.isArray(r)) return r
          if (r.unsupported)
            return [r.modeLabel, r.pairLabel, `n/a: ${r.unsupported}`, '', '', '', '', '', '', '', '']
          const peer = peerOf(single, r)
          return [
            r.modeLabel,
            r.pairLabel,
            r.errors ? `${mibs(r.throughput)} (${r.errors} failed)` : mibs(r.throughput),
            spread(r),
            limits ? `${num((r.throughput / limits.min) * 100)} %` : '–',
            `${num(r.cpuPerGiB, 2)} (${num(r.clientCpuPerGiB, 2)} + ${num(r.serverCpuPerGiB, 2)})`,
            mb(r.serverRss),
            mb(r.clientRss),
            x(ratio(r.throughput, peer?.throughput)),
            r.pair === PEER ? '–' : slowestVsPeer(r, peer),
            x(ratio(r.cpuPerGiB, peer?.cpuPerGiB)),
          ]
        }),
      ),
    )
  }
  const apart = judgedApart(results)
  if (apart.length) {
    parts.push('### Server and client judged apart (same counterpart, ratio to the peer)')
    parts.push(
      table(
        [
          'Workload',
          'Shuttle server (tus-js-client → Shuttle vs → @tus/server)',
          'Shuttle client (→ @tus/server, Shuttle vs tus-js-client)',
        ],
        apart.map((r) => [r.label, r.server, r.client]),
      ),
    )
  }
  if (many.length) {
    const m = many[0]
    parts.push(`### ${m.count} uploads of ${sizeLabel(m.size)}, at most ${m.concurrency} in flight`)
    const peer = many.find((r) => r.pair === PEER)
    parts.push(
      table(
        [
          'Client → server',
          'uploads/s',
          'min–max',
          'p50 ms',
          'p99 ms',
          'errors',
          'CPU-s (client + server)',
          'Server RSS',
          'Client RSS',
          'uploads/s × peer',
        ],
        many.map((r) => [
          r.pairLabel,
          num(r.uploadsPerSecond),
          spread(r, num),
          num(r.p50),
          num(r.p99),
          String(r.errors),
          num(r.cpuSeconds, 2),
          mb(r.serverRss),
          mb(r.clientRss),
          x(ratio(r.uploadsPerSecond, peer?.uploadsPerSecond)),
        ]),
      ),
    )
  }
  if (resume.length) {
    parts.push(
      `### Resume: client SIGKILLed at ~50 % of ${sizeLabel(resume[0].size)} (8 MiB chunks), restarted with the same checkpoint store`,
    )
    parts.push('Re-sent = body bytes the server received beyond the file size (request heads excluded).')
    parts.push(
      table(
        ['Client → server', 'client had sent', 'server had received', 'bytes re-sent', 'second run'],
        resume.map((r) =>
          r.error
            ? [r.pairLabel, '–', '–', `ERROR: ${r.error}`, '–']
            : [
                r.pairLabel,
                `${num((r.killedAt / r.size) * 100)} %`,
                `${num((r.serverHadAtKill / r.size) * 100)} %`,
                bytes(r.resent),
                `${num(r.resumeMs)} ms`,
              ],
        ),
      ),
    )
  }
  if (browser.length) parts.push(...chromiumSection(browser, limits))
  if (results.hash?.length) parts.push(...hashSection(results.hash))
  if (results.browserError) parts.push(`### Chromium\n\nNot measured: ${results.browserError}`)
  if (results.s3) parts.push(...s3Section(results.s3))
  if (results.s3Error) parts.push(`### S3 (Ceph RGW)\n\nNot measured: ${results.s3Error}`)
  const t = results.targets ?? []
  if (t.length) {
    parts.push('### Targets (reported, never failing)')
    parts.push(t.map((r) => `- ${r.ok === null ? '?' : r.ok ? '✔' : '✘'} ${r.name}: ${r.detail}`).join('\n'))
  }
  return parts.join('\n\n')
}

/** Median, min and max MiB/s and the largest server peak RSS of an S3 row. */
function s3Stats(row) {
  const speeds = row.runs.map((r) => r.mibps)
  const rss = row.runs.map((r) => r.peakRss).filter((v) => v !== undefined)
  return {
    mibps: median(speeds),
    min: Math.min(...speeds),
    max: Math.max(...speeds),
    rss: rss.length ? Math.max(...rss) : undefined,
  }
}

function s3Section(s3) {
  const ceiling = s3.rows.find((r) => r.id === 'ceiling')
  const top = ceiling ? s3Stats(ceiling).mibps : Number.NaN
  return [
    '### One file onto S3 (Ceph RGW on loopback, same run)',
    'A minimal tus client (POST, then PATCHes streamed from the file) drives both servers; the ceiling is the AWS SDK uploading the same file straight to the bucket. Each object is checked in the bucket (length every time, sha256 in the first repetition).',
    table(
      ['Row', 'MiB/s (median)', 'min–max', '% of ceiling', '× peer', 'Server peak RSS (max)'],
      s3.rows.map((row) => {
        const st = s3Stats(row)
        const peer = row.id.startsWith('shuttle')
          ? s3.rows.find((r) => r.id === row.id.replace('shuttle', 'peer'))
          : undefined
        return [
          row.label,
          num(st.mibps),
          `${num(st.min)}–${num(st.max)}`,
          row.id === 'ceiling' ? '100 %' : `${num((st.mibps / top) * 100)} %`,
          peer ? x(st.mibps / s3Stats(peer).mibps) : '–',
          st.rss === undefined ? '–' : `${num(st.rss / MiB)} MiB`,
        ]
      }),
    ),
  ]
}

function s3Targets(s3) {
  if (!s3) return []
  const out = []
  const ceiling = s3.rows.find((r) => r.id === 'ceiling')
  for (const row of s3.rows.filter((r) => r.id.startsWith('shuttle'))) {
    const st = s3Stats(row)
    const peer = s3Stats(s3.rows.find((r) => r.id === row.id.replace('shuttle', 'peer')))
    const top = ceiling ? s3Stats(ceiling).mibps : Number.NaN
    out.push({
      name: `S3, ${row.label}: ≥ 1.5× peer`,
      ok: st.mibps >= 1.5 * peer.mibps,
      detail: `${x(st.mibps / peer.mibps)}`,
    })
    out.push({
      name: `S3, ${row.label}: ≥ 80 % of the RGW ceiling`,
      ok: st.mibps >= 0.8 * top,
      detail: `${num((st.mibps / top) * 100)} %`,
    })
    out.push({
      name: `S3, ${row.label}: server RSS ≤ 150 MB`,
      ok: st.rss !== undefined && st.rss <= 150e6,
      detail: `${num((st.rss ?? 0) / 1e6)} MB`,
    })
  }
  return out
}
