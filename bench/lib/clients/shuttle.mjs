// @shuttle/core (Node build): one uploader per workload, the way the CLI uses it.
import { basename } from 'node:path'

// BENCH_CORE=<path to a node/index.js> runs an experimental copy of the engine (A/B of a change).
const core = await import(process.env.BENCH_CORE ?? '@shuttle/core')

const RETRY_DELAYS = [0, 1000, 3000, 5000]

/** Resolves when every id settled; `onSettled(id, outcome)` sees each one. */
function whenSettled(uploader, ids, onSettled) {
  const pending = new Set(ids)
  return new Promise((resolve) => {
    const settle = (id, outcome) => {
      if (!pending.delete(id)) return
      onSettled(id, outcome)
      if (pending.size === 0) resolve()
    }
    uploader.on('completed', ({ id, url }) => settle(id, { url }))
    uploader.on('failed', ({ id, error }) => settle(id, { error }))
  })
}

/** Uploads one file from disk; with storeDir, checkpoints go to (and resume from) that directory. */
export async function uploadFile({
  endpoint,
  path,
  chunkSize,
  parallel,
  storeDir,
  onProgress,
  tellAt,
  verify,
}) {
  const uploader = core.createUploader({
    endpoint,
    chunkSize,
    // Off unless the row asks: the peer verifies nothing and hashes nothing, so the other rows
    // compare like with like. Content identity ('auto' by default) would hash the whole file before
    // the first byte goes out, and the server would hash every byte to check the declared identity.
    // The verified row runs the engine's defaults: checksums and identity as the server offers them.
    checksum: verify === true,
    identity: verify === true ? 'auto' : false,
    parallelUploads: parallel,
    retryDelays: RETRY_DELAYS,
    metadata: { filename: basename(path) },
    ...(storeDir ? { checkpointStore: core.createFileCheckpointStore(storeDir) } : {}),
  })
  uploader.on('progress', ({ bytesSent }) => onProgress?.(bytesSent))
  let result
  const done = new Promise((resolve) => {
    uploader.on('completed', ({ url }) => {
      result = { url }
      resolve()
    })
    uploader.on('failed', ({ error }) => {
      result = { error }
      resolve()
    })
  })
  const [id] = uploader.add({ path })
  // The engine reports progress every 100 ms; a kill near tellAt (resume) needs a finer look, or a
  // small fast file is done before the first report past it. Only when asked: it costs CPU.
  const poll =
    tellAt === undefined
      ? undefined
      : setInterval(() => onProgress?.(uploader.getFile(id)?.bytesSent ?? 0), 2)
  await done
  clearInterval(poll)
  await uploader.destroy()
  if (result.error) throw result.error
  return result
}

/** Uploads `count` buffers from `dataFor(i)`; the engine's own queue caps concurrency. */
export async function uploadMany({ endpoint, dataFor, count, concurrency }) {
  const uploader = core.createUploader({
    endpoint,
    maxConcurrentUploads: concurrency,
    retryDelays: RETRY_DELAYS,
    checksum: false,
    identity: false,
  })
  const started = new Map()
  uploader.on('state-change', ({ id, from }) => {
    if (from.status === 'queued') started.set(id, performance.now())
  })
  const latencies = []
  let errors = 0
  let firstError
  const inputs = Array.from({ length: count }, (_, i) => ({ data: dataFor(i), name: `small-${i}.bin` }))
  // Ids come back synchronously and completions are always later: waiting after add() is safe.
  const ids = uploader.add(inputs)
  const settled = whenSettled(uploader, ids, (id, outcome) => {
    if (outcome.error) {
      errors++
      firstError ??= String(outcome.error?.message ?? outcome.error).slice(0, 300)
    } else latencies.push(performance.now() - (started.get(id) ?? performance.now()))
  })
  await settled
  await uploader.destroy()
  return { latencies, errors, firstError }
}
