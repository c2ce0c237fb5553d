import { NetworkError, UploadError } from '@shuttle/protocol'
import { createEmitter } from './emitter.js'
import { createAuthGate } from './engine/auth-gate.js'
import { storeCheckpoint, withIdentity } from './engine/checkpoint-keys.js'
import { createConnectivity } from './engine/connectivity.js'
import type { EngineCore } from './engine/core.js'
import { createRecord, type FileRecord, payloadOf, snapshotOf, uploadMetadata } from './engine/file-record.js'
import { type RestoredFile, restoreSession } from './engine/restore.js'
import { lookupCheckpoint, runFile } from './engine/runner.js'
import { createWaitingLine, moveInOrder, renumberWaiting } from './engine/scheduler.js'
import { terminateUpload } from './engine/terminate.js'
import { createTransport } from './engine/transport-setup.js'
import { canTransition, isActive, isRunning, offsetOf, transition } from './machine.js'
import { normalizeOptions, type PlatformDefaults, type UploaderOptions } from './options.js'
import { createAbortController, sleep } from './platform.js'
import { createThrottle, PROGRESS_INTERVAL_MS } from './progress.js'
import { toUploadError } from './retry.js'
import { addToTotals, emptyTotals, finishTotals, type UploadTotals } from './totals.js'
import type { FileId, FileSnapshot, UploaderEvents } from './types.js'

export interface Uploader<Input = unknown> {
  /** Adds files; returns their ids at once. Opening, fingerprinting and checkpoint lookup happen in 'preparing'. */
  add(input: Input | readonly Input[], metadata?: Record<string, string>): FileId[]
  /** Queues every 'idle' file (autoStart: false). */
  start(): void
  pause(id: FileId): void
  resume(id: FileId, options?: { first?: boolean }): void
  /** Stops the file and deletes its upload on the server and its checkpoint. */
  cancel(id: FileId): Promise<void>
  /** Cancels if needed, then drops the file from the list. */
  remove(id: FileId): Promise<void>
  /** Queues a failed file again (at the front with `first`); it resumes from the offset the server confirmed. */
  retry(id: FileId, options?: { first?: boolean }): void
  pauseAll(): void
  resumeAll(): void
  cancelAll(): Promise<void>
  /** Moves a file in the list; waiting files start in list order. */
  move(id: FileId, index: number): void
  /** Higher priority starts first. Default 0. */
  setPriority(id: FileId, priority: number): void
  getFiles(): readonly FileSnapshot[]
  getFile(id: FileId): FileSnapshot | undefined
  /** False while the network is down (see the `network` option); files then wait for it. */
  isOnline(): boolean
  on<K extends keyof UploaderEvents>(event: K, fn: (payload: UploaderEvents[K]) => void): () => void
  /**
   * Brings back the unfinished uploads of earlier sessions (reload, browser restart) for this
   * endpoint, each with the server's offset (one HEAD per upload). With a `fileKeeper`, files whose
   * bytes were kept come back 'ready' and (unless `add: false`) are added at once; kept handles
   * that need permission again are 'access' (see requestAccess); the rest are 'ghost' rows that
   * adding the same files again resumes ('restored' says which). Files already in the list are left out.
   */
  restoreSession(options?: { add?: boolean }): Promise<RestoredFile[]>
  /**
   * Asks the user for read access to a kept handle (call it from a click: browsers need a user
   * gesture) and, once allowed, adds the file (unless `add: false`). undefined when refused.
   */
  requestAccess(
    fingerprint: string,
    options?: { add?: boolean },
  ): Promise<{ input: unknown; id?: FileId } | undefined>
  /** Aborts everything and clears timers; server uploads and checkpoints are kept. */
  destroy(): Promise<void>
}

/** The confirmed offset goes into the checkpoint at most this often (and on pause). */
const OFFSET_SAVE_INTERVAL_MS = 1000

let idCounter = 0
const newId = (): FileId => `f${(++idCounter).toString(36)}${Math.random().toString(36).slice(2, 8)}`

/**
 * Builds the environment's createUploader from its defaults, so the browser and Node entries expose
 * exactly the same surface (STYLE 3.5).
 */
export function makeCreateUploader<Input>(platform: PlatformDefaults) {
  return function createUploader(opts: UploaderOptions): Uploader<Input> {
    const options = normalizeOptions(opts, platform)
    let reporting = false
    // A throwing 'listener-error' listener must not recurse.
    const events = createEmitter<UploaderEvents>((error) => {
      if (reporting) return
      reporting = true
      try {
        events.emit('listener-error', { error })
      } finally {
        reporting = false
      }
    })
    const transport = createTransport(options)
    const records = new Map<FileId, FileRecord>()
    let order: FileId[] = []
    let seq = 0
    let front = 0
    let destroyed = false
    let pumping = false
    let pumpAgain = false
    let hadWork = false
    // Kept in step by dispatch(), so pump() never scans every file (it runs once per finished file).
    const waiting = createWaitingLine()
    let runningCount = 0
    const totalThrottle = createThrottle(PROGRESS_INTERVAL_MS)

    // Going offline interrupts the requests in flight (they would hang until the stall timeout);
    // their files then wait for the network in 'retrying' without spending retries.
    const connectivity = createConnectivity(options.network, options.endpoint, options.clock, (online) => {
      if (!online) {
        for (const rec of records.values())
          if (isRunning(rec.state.status)) rec.interrupt?.(new NetworkError('The network went down'))
      }
      events.emit('network', { online })
    })

    const must = (id: FileId): FileRecord => {
      const rec = records.get(id)
      if (!rec) throw new UploadError('ERR_UNKNOWN_FILE', `No file with id "${id}"`)
      return rec
    }
    const core: EngineCore = {
      options,
      transport,
      auth: createAuthGate(options.onAuthExpired),
      events,
      connectivity,
      dispatch(rec, event) {
        const from = rec.state
        const to = transition(from, event)
        rec.state = to
        if (from.status === 'queued') waiting.delete(rec)
        if (to.status === 'queued') waiting.add(rec)
        const wasRunning = isRunning(from.status)
        const running = isRunning(to.status)
        if (wasRunning !== running) runningCount += running ? 1 : -1
        delete rec.snapshot
        if (from.status !== to.status) events.emit('state-change', { id: rec.id, from, to })
        if (wasRunning && !running) void Promise.resolve().then(pump)
      },
      isCurrent: (rec, run) => !destroyed && rec.run === run && records.get(rec.id) === rec,
      setConfirmed(rec, bytes) {
        const before = offsetOf(rec.state)
        if (bytes > before) {
          rec.authRefreshes = 0
          rec.authRenewals = 0
          rec.rateLimitWaits = 0
        }
        const now = options.clock.now()
        // More confirmed than this session sent: bytes of an earlier session (a HEAD's answer),
        // not speed. The meter starts from there instead of counting them.
        const earlier = bytes > rec.bytesSent
        rec.bytesSent = bytes < before ? bytes : Math.max(rec.bytesSent, bytes)
        // Only an attempt confirms bytes, and an attempt runs in 'uploading'.
        if (rec.state.status === 'uploading')
          rec.state = transition(rec.state, { type: 'advance', offset: bytes })
        if (earlier) rec.meter.reset(rec.bytesSent, now)
        else rec.meter.sample(rec.bytesSent, now)
        // Not the last bytes: completion replaces or deletes the checkpoint itself.
        const size = rec.info.size ?? rec.source?.info.size
        if (bytes > before && bytes !== size && now - rec.offsetSavedAt >= OFFSET_SAVE_INTERVAL_MS)
          saveOffset(rec)
        core.progress(rec)
      },
      setSent(rec, bytes) {
        rec.bytesSent = Math.max(bytes, offsetOf(rec.state))
        rec.meter.sample(rec.bytesSent, options.clock.now())
        core.progress(rec)
      },
      progress(rec, force = false) {
        delete rec.snapshot
        const now = options.clock.now()
        if (!rec.throttle(now, force)) return
        events.emit('progress', { id: rec.id, ...payloadOf(rec) })
        // A file's final progress forces the total only when no other file is running: otherwise
        // their progress brings it within the throttle interval, and 1000 files finishing would
        // each sum over all files (O(files²): 5 % of the client's CPU in `npm run bench`).
        if (totalThrottle(now, force && runningCount <= 1)) events.emit('total-progress', totalProgress())
      },
      metadataOf: (rec) => uploadMetadata(rec, options.metadata),
      restoring: new Map(),
      keptBefore: new Set(),
      sleep: (ms, signal) => sleep(options.clock, ms, signal),
    }

    /** Writes the confirmed offset into the checkpoint: after a reload, a waiting file shows it. */
    function saveOffset(rec: FileRecord) {
      const cp = rec.checkpoint
      const offset = offsetOf(rec.state)
      if (!cp || rec.fingerprint === undefined || cp.finished || (cp.offset ?? 0) >= offset) return
      rec.offsetSavedAt = options.clock.now()
      rec.checkpoint = withIdentity(rec, { ...cp, offset, updatedAt: Date.now() })
      const checkpoint = rec.checkpoint
      // One write at a time per file, in order; completion and cancel wait for the last one.
      rec.offsetWrite = (rec.offsetWrite ?? Promise.resolve())
        .then(() => storeCheckpoint(core, rec, checkpoint))
        .catch(() => {})
    }

    /** The one totals computation (totals.ts) over the records, without building snapshots. */
    function totalProgress(): UploadTotals {
      const t = emptyTotals()
      for (const rec of records.values()) {
        const status = rec.state.status
        const speed = status === 'uploading' ? rec.meter.speed : 0
        addToTotals(t, status, rec.info.size, rec.bytesSent, offsetOf(rec.state), speed)
      }
      return finishTotals(t)
    }

    function startRun(rec: FileRecord) {
      hadWork = true
      rec.controller = createAbortController()
      const run = ++rec.run
      rec.running = runFile(core, rec, run).catch((err: unknown) => {
        // Only a bug lands here; surface it as a failure rather than leaving the file hanging.
        if (!core.isCurrent(rec, run)) return
        const error = toUploadError(err)
        try {
          core.dispatch(rec, { type: 'fail', error })
          events.emit('failed', { id: rec.id, error })
        } catch {
          // already settled
        }
      })
    }

    /** Fills free slots with waiting files. Re-entrant calls are folded into the running one. */
    function pump() {
      if (destroyed) return
      if (pumping) {
        pumpAgain = true
        return
      }
      pumping = true
      try {
        do {
          pumpAgain = false
          let active = runningCount
          while (active < options.maxConcurrentUploads) {
            const next = waiting.peek()
            if (!next) break
            startRun(next)
            active++
          }
        } while (pumpAgain)
      } finally {
        pumping = false
      }
      if (hadWork && runningCount === 0 && waiting.size === 0) {
        hadWork = false
        events.emit('total-progress', totalProgress())
        events.emit('queue-drained', {})
      }
    }

    /** Stops the current run of a file, if any: later callbacks of that run are ignored. */
    function stopRun(rec: FileRecord) {
      rec.run++
      rec.controller?.abort(new UploadError('ERR_ABORTED', 'Stopped'))
      rec.bytesSent = offsetOf(rec.state)
      rec.meter.reset(rec.bytesSent, options.clock.now())
    }

    function enqueue(rec: FileRecord, first = false) {
      rec.seq = first ? --front : ++seq
      waiting.update(rec) // already waiting (retry, resume first): re-filed at its new place
    }

    const api: Uploader<Input> = {
      add(input, metadata = {}) {
        if (destroyed) throw new UploadError('ERR_INVALID_TRANSITION', 'The uploader was destroyed')
        const inputs = (Array.isArray(input) ? input : [input]) as readonly unknown[]
        // Describe all first: one bad input adds nothing.
        const infos = inputs.map((i) => options.fileReader.describe(i))
        const ids: FileId[] = []
        inputs.forEach((i, n) => {
          const rec = createRecord(newId(), i, infos[n] as NonNullable<(typeof infos)[number]>, metadata)
          records.set(rec.id, rec)
          order.push(rec.id)
          ids.push(rec.id)
          events.emit('file-added', { file: snapshotOf(rec, core.metadataOf) })
          if (options.autoStart) {
            enqueue(rec)
            core.dispatch(rec, { type: 'enqueue' })
          }
          // Known size (browser files): look the checkpoint up now, so a waiting file shows its
          // server offset before its turn (a slot's run awaits this same lookup).
          if (transport.resumable && rec.info.size !== null && rec.info.lastModified !== undefined)
            rec.lookup = lookupCheckpoint(core, rec).catch(() => undefined)
        })
        pump()
        return ids
      },
      start() {
        for (const id of order) {
          const rec = records.get(id)
          if (rec?.state.status === 'idle') {
            enqueue(rec)
            core.dispatch(rec, { type: 'enqueue' })
          }
        }
        pump()
      },
      pause(id) {
        const rec = must(id)
        if (rec.state.status === 'paused') return
        // Abort first so listeners of the 'paused' state-change already see the settled numbers.
        if (canTransition(rec.state, 'pause')) stopRun(rec)
        core.dispatch(rec, { type: 'pause' })
        saveOffset(rec)
        core.progress(rec, true)
        pump()
      },
      resume(id, { first = false } = {}) {
        const rec = must(id)
        const status = rec.state.status
        if (status === 'failed') return api.retry(id, { first })
        if (isActive(status)) {
          if (first && status === 'queued') enqueue(rec, true)
          return pump()
        }
        enqueue(rec, first)
        core.dispatch(rec, { type: status === 'idle' ? 'enqueue' : 'resume' })
        pump()
      },
      async cancel(id) {
        const rec = must(id)
        if (rec.state.status === 'canceled') return
        if (canTransition(rec.state, 'cancel')) stopRun(rec)
        core.dispatch(rec, { type: 'cancel' })
        rec.bytesSent = 0 // canceled holds no position: the server's bytes are being deleted
        pump()
        await rec.running
        await terminateUpload(core, rec)
        await rec.source?.close().catch(() => {})
        events.emit('canceled', { id })
      },
      async remove(id) {
        const rec = must(id)
        const status = rec.state.status
        if (status !== 'completed' && status !== 'canceled') await api.cancel(id)
        if (records.get(id) !== rec) return
        records.delete(id)
        order = order.filter((x) => x !== id)
        await rec.source?.close().catch(() => {})
        events.emit('removed', { id })
        pump()
      },
      retry(id, { first = false } = {}) {
        const rec = must(id)
        core.dispatch(rec, { type: 'retry' })
        rec.attempts = 0
        rec.authRefreshes = 0
        rec.authRenewals = 0
        rec.rateLimitWaits = 0
        enqueue(rec, first)
        delete rec.snapshot
        pump()
      },
      pauseAll() {
        for (const rec of records.values()) {
          if (isActive(rec.state.status)) api.pause(rec.id)
        }
      },
      resumeAll() {
        for (const id of order) if (records.get(id)?.state.status === 'paused') api.resume(id)
      },
      async cancelAll() {
        const ids = [...records.values()]
          .filter((r) => !['completed', 'canceled'].includes(r.state.status))
          .map((r) => r.id)
        await Promise.all(ids.map((id) => api.cancel(id)))
      },
      move(id, index) {
        must(id)
        order = moveInOrder(order, id, index)
        seq = renumberWaiting(order, records, seq, waiting)
        pump()
      },
      setPriority(id, priority) {
        const rec = must(id)
        rec.priority = priority
        waiting.update(rec)
        pump()
      },
      getFiles: () => order.map((id) => snapshotOf(must(id), core.metadataOf)),
      getFile(id) {
        const rec = records.get(id)
        return rec && snapshotOf(rec, core.metadataOf)
      },
      async restoreSession({ add = true } = {}) {
        const known = new Set<string>()
        for (const rec of records.values()) if (rec.fingerprint !== undefined) known.add(rec.fingerprint)
        return restoreSession(core, known, (input, metadata) => api.add(input as Input, metadata)[0], { add })
      },
      async requestAccess(fingerprint, { add = true } = {}) {
        const keeper = options.fileKeeper
        if (!keeper) return undefined
        const input = await keeper.requestAccess(fingerprint)
        if (input === undefined) return undefined
        const restored = core.restoring.get(fingerprint) as RestoredFile | undefined
        if (!add) return { input }
        return { input, id: api.add(input as Input, restored?.metadata ?? {})[0] }
      },
      isOnline: () => connectivity.online,
      on: (event, fn) => events.on(event, fn),
      async destroy() {
        if (destroyed) return
        for (const rec of records.values()) {
          if (isActive(rec.state.status)) core.dispatch(rec, { type: 'pause' })
        }
        destroyed = true
        connectivity.dispose()
        const running = [...records.values()].map((rec) => {
          stopRun(rec)
          return rec.running
        })
        await Promise.all(running)
        await Promise.all([...records.values()].map((r) => r.source?.close().catch(() => {})))
        if (options.ownsHttpClient) options.httpClient.close?.()
        events.clear()
      },
    }
    return api
  }
}
