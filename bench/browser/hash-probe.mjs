// bench/hash-probe.mjs's page: runs one probe case over the disk-backed File in <input id="file">.
const B = 4 * 1024 * 1024
const run = (w, msg) =>
  new Promise((resolve, reject) => {
    w.onmessage = (e) => resolve(e.data)
    w.onerror = (e) => reject(new Error(e.message))
    w.postMessage(msg)
  })
const mk = () => new Worker('/bench/browser/hash-probe-worker.mjs', { type: 'module' })
window.probe = async ({
  op,
  workers = 1,
  read = 'ab',
  hash = 'webcrypto',
  inflight = 1,
  range = 0,
  blockBytes = B,
}) => {
  const file = document.getElementById('file').files[0]
  const count = Math.ceil(file.size / (op === 'digest-only' ? blockBytes : B))
  const ws = Array.from({ length: workers }, mk)
  // warm the workers (module load, wasm init)
  await Promise.all(ws.map((w) => run(w, { op: 'digest-only', blocks: [0], hash, inflight: 1 })))
  const t0 = performance.now()
  const parts = ws.map((_, k) => {
    const blocks = []
    for (let i = k; i < count; i += workers) blocks.push(i)
    return blocks
  })
  const share = Math.ceil(count / workers) * B
  const res = await Promise.all(
    ws.map((w, k) =>
      run(w, {
        op,
        file,
        blocks: parts[k],
        read,
        hash,
        inflight,
        range,
        blockBytes,
        from: k * share,
        to: Math.min(file.size, (k + 1) * share),
      }),
    ),
  )
  const total = res.reduce((n, r) => n + (r.total ?? 0), 0)
  if (op === 'stream-range' && total !== file.size) throw new Error(`read ${total} of ${file.size}`)
  const ms = performance.now() - t0
  window.keep = ws // terminated with the page, after the CPU of their threads was read
  return {
    ms,
    mibs: file.size / 1048576 / (ms / 1000),
    per: res.map((r) => ({ ms: r.ms, readMs: r.readMs, hashMs: r.hashMs })),
  }
}
window.probePage = async ({ inflight = 1 }) => {
  const file = document.getElementById('file').files[0]
  const count = Math.ceil(file.size / B)
  let next = 0
  const t0 = performance.now()
  const lane = async () => {
    while (next < count) {
      const a = next++ * B
      await file.slice(a, Math.min(file.size, a + B)).arrayBuffer()
    }
  }
  await Promise.all(Array.from({ length: inflight }, lane))
  const ms = performance.now() - t0
  return { ms, mibs: file.size / 1048576 / (ms / 1000) }
}
document.getElementById('status').textContent = 'ready'
