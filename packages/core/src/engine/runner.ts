import { UploadError } from '@shuttle/protocol'
import { offsetOf } from '../machine.js'
import { classifyError, retryDelay, toUploadError } from '../retry.js'
import type { TransportResult } from '../transports/transport.js'
import { runAttempt } from './attempt.js'
import type { EngineCore } from './core.js'
import type { FileRecord } from './file-record.js'
import { usableCheckpoint } from './transport-setup.js'

/** Consecutive credential refreshes without the server confirming a byte before we give up. */
const MAX_AUTH_REFRESHES = 2

/**
 * Drives one file from 'queued' to a settled state: prepare, attempts, retries with backoff,
 * auth refresh. Pause/cancel bump `rec.run` and abort the controller; this loop then notices it is
 * no longer current and returns without touching the record.
 */
export async function runFile(core: EngineCore, rec: FileRecord, run: number): Promise<void> {
  const live = () => core.isCurrent(rec, run)
  const signal = rec.controller?.signal
  if (!signal) return
  core.dispatch(rec, { type: 'prepare' })
  for (;;) {
    try {
      const restoredUrl = await prepare(core, rec)
      if (!live()) return
      rec.bytesSent = offsetOf(rec.state)
      rec.meter.reset(rec.bytesSent, core.options.clock.now())
      if (rec.state.status !== 'uploading') {
        core.dispatch(rec, { type: 'begin', ...(restoredUrl !== undefined ? { url: restoredUrl } : {}) })
      }
      const outcome = await runAttempt(core, rec, run)
      if (!live()) return
      if (outcome.ok) return await complete(core, rec, outcome.result)
      if (!(await recover(core, rec, outcome.error, outcome.authGeneration))) return
      if (!live()) return
    } catch (err) {
      // prepare() or complete() failed: no request of this attempt saw a 401, so refresh if asked.
      if (!live()) return
      if (!(await recover(core, rec, err, core.auth.generation))) return
      if (!live()) return
    }
  }
}

/** Opens the source and looks up its checkpoint; returns the upload URL of a checkpoint found now. */
async function prepare(core: EngineCore, rec: FileRecord): Promise<string | undefined> {
  const { options, transport } = core
  const signal = rec.controller?.signal
  if (!signal) return undefined
  if (!rec.source) {
    const source = await options.fileReader.open(rec.input, signal)
    rec.source = source
    rec.info = { ...rec.info, ...source.info }
    delete rec.snapshot
  }
  if (!transport.resumable || rec.fingerprint !== undefined) return undefined
  const fingerprint = await options.fingerprint(rec.info, options.endpoint)
  rec.fingerprint = fingerprint
  if (rec.checkpoint) return undefined
  let saved: unknown
  try {
    saved = await options.checkpointStore.get(fingerprint)
  } catch {
    saved = undefined // an unreadable store means a fresh upload, not a failed one
  }
  // A checkpoint of another transport, size or endpoint is not this upload.
  const usable = usableCheckpoint(transport, saved, rec.source?.info.size, options.endpoint)
  if (usable) rec.checkpoint = usable
  return usable?.url
}

async function complete(core: EngineCore, rec: FileRecord, result: TransportResult): Promise<void> {
  const size = rec.source?.info.size ?? 0
  core.setConfirmed(rec, size)
  delete rec.checkpoint
  core.progress(rec, true)
  // Completed first, synchronously: a pause arriving while the checkpoint is being deleted would
  // otherwise leave a paused file with no checkpoint, which the next run uploads from zero.
  core.dispatch(rec, { type: 'complete', url: result.url, offset: size })
  if (rec.fingerprint !== undefined) {
    try {
      await core.options.checkpointStore.delete(rec.fingerprint)
    } catch {
      // A stale checkpoint is harmless: its HEAD will show the upload complete or gone.
    }
  }
  await rec.source?.close().catch(() => {})
  core.events.emit('completed', {
    id: rec.id,
    url: result.url,
    ...(result.response ? { response: result.response } : {}),
    ...(result.verified ? { verified: result.verified } : {}),
  })
}

function fail(core: EngineCore, rec: FileRecord, error: UploadError): false {
  rec.bytesSent = offsetOf(rec.state)
  core.dispatch(rec, { type: 'fail', error })
  core.events.emit('failed', { id: rec.id, error })
  return false
}

/** Decides what an error means for the file. Returns true to run another attempt. */
async function recover(
  core: EngineCore,
  rec: FileRecord,
  err: unknown,
  authGeneration: number,
): Promise<boolean> {
  const { options } = core
  const d = classifyError(err)
  const signal = rec.controller?.signal
  if (!signal) return false
  if (d.kind === 'auth') {
    core.events.emit('auth-expired', { id: rec.id, status: d.status })
    if (!options.onAuthExpired) return fail(core, rec, d.error)
    if (rec.authRefreshes >= MAX_AUTH_REFRESHES) {
      return fail(
        core,
        rec,
        new UploadError('ERR_AUTH_EXPIRED', 'Still unauthorized after refreshing credentials', {
          cause: d.error,
        }),
      )
    }
    rec.authRefreshes++
    try {
      await core.auth.refresh({ id: rec.id, status: d.status }, authGeneration)
    } catch (refreshErr) {
      return fail(core, rec, toUploadError(refreshErr))
    }
    return true
  }
  if (d.kind === 'fatal') return fail(core, rec, d.error)
  const error =
    d.kind === 'aborted'
      ? new UploadError('ERR_NETWORK', 'The request was aborted', { cause: err, retryable: true })
      : d.error
  // Progress since the last failure means the network works; start the budget over.
  const confirmed = offsetOf(rec.state)
  if (confirmed > rec.confirmedAtLastFailure) rec.attempts = 0
  rec.confirmedAtLastFailure = confirmed
  rec.attempts++
  const delay = retryDelay(
    options.retryDelays,
    rec.attempts,
    options.random,
    d.kind === 'retry' ? d.retryAfter : undefined,
  )
  if (delay === undefined) return fail(core, rec, error)
  rec.bytesSent = confirmed
  core.dispatch(rec, { type: 'backoff', attempt: rec.attempts, retryAt: options.clock.now() + delay, error })
  core.events.emit('retry', { id: rec.id, attempt: rec.attempts, delay, error })
  await core.sleep(delay, signal) // resolves early on abort; the caller then sees the run is stale
  return true
}
