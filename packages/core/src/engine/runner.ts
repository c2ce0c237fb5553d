import { HttpStatusError, NetworkError, UploadError } from '@shuttle/protocol'
import { offsetOf } from '../machine.js'
import { classifyError, retryDelay, toUploadError } from '../retry.js'
import type { TransportResult } from '../transports/transport.js'
import { runAttempt } from './attempt.js'
import { forgetCheckpoint, storeCheckpoint, withIdentity } from './checkpoint-keys.js'
import type { EngineCore } from './core.js'
import type { FileRecord } from './file-record.js'
import { prepareIdentity } from './identity-step.js'
import { forgetKept, keepLater } from './kept.js'
import { usableCheckpoint } from './transport-setup.js'

/** Consecutive credential refreshes without the server confirming a byte before we give up. */
const MAX_AUTH_REFRESHES = 2
/** Expiries of credentials that had worked (short-lived tokens on a slow file) without progress. */
const MAX_AUTH_RENEWALS = 20
/** Consecutive 429 + Retry-After waits without progress before they spend the retry budget. */
const MAX_RATE_LIMIT_WAITS = 20

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
      // Known offline: no request would get through, so none is sent (and none fails in DevTools).
      if (!core.connectivity.online) {
        await waitForNetwork(core, rec, new NetworkError('The network is down'))
        if (!live()) return
      }
      const outcome = await runAttempt(core, rec, run, async (ctx) => {
        // Also when resuming by fingerprint: it then takes the identity the checkpoint kept, if any.
        const found = await prepareIdentity(core, rec, ctx, live)
        const url = restoredUrl ?? found
        if (!live()) throw new UploadError('ERR_ABORTED', 'Stopped')
        if (rec.state.status !== 'uploading') {
          core.dispatch(rec, { type: 'begin', ...(url !== undefined ? { url } : {}) })
        }
      })
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
  if (!transport.resumable) return undefined
  rec.lookup ??= lookupCheckpoint(core, rec)
  const url = await rec.lookup
  keepLater(core, rec)
  if (rec.lookupDelivered) return undefined
  rec.lookupDelivered = true
  return url
}

/**
 * Fingerprints the file and reads its checkpoint. Runs at add() for inputs whose size is known
 * then (browser files), outside any slot, so a waiting file shows the offset the server last
 * confirmed (`checkpoint.offset`) before its turn; otherwise in 'preparing'. Returns the URL.
 */
export async function lookupCheckpoint(core: EngineCore, rec: FileRecord): Promise<string | undefined> {
  const { options, transport } = core
  const fingerprint = await options.fingerprint(rec.info, options.endpoint)
  rec.fingerprint = fingerprint
  if (core.restoring.delete(fingerprint)) core.events.emit('restored', { id: rec.id, fingerprint })
  if (rec.checkpoint) return undefined
  let saved: unknown
  try {
    saved = await options.checkpointStore.get(fingerprint)
  } catch {
    saved = undefined // an unreadable store means a fresh upload, not a failed one
  }
  // A checkpoint of another transport, size or endpoint is not this upload.
  const size = rec.source?.info.size ?? rec.info.size ?? undefined
  const usable = usableCheckpoint(transport, saved, size, options.endpoint)
  if (!usable) return undefined
  rec.checkpoint = usable
  // A file still waiting for its turn shows where it stands on the server at once.
  const s = rec.state
  if ((s.status === 'queued' || s.status === 'paused') && s.url === undefined && usable.url !== undefined) {
    const offset = usable.finished ? usable.size : (usable.offset ?? 0)
    rec.state = { ...s, offset: Math.max(s.offset, offset), url: usable.url }
    rec.bytesSent = Math.max(rec.bytesSent, offset)
    core.progress(rec, true)
  }
  return usable.url
}

async function complete(core: EngineCore, rec: FileRecord, result: TransportResult): Promise<void> {
  const size = rec.source?.info.size ?? 0
  const checkpoint = rec.checkpoint
  // Found finished on the server: the one HEAD said so, nothing was sent.
  if (checkpoint?.finished || result.instant) rec.alreadyUploaded = true
  core.setConfirmed(rec, size)
  delete rec.checkpoint
  core.progress(rec, true)
  // Completed first, synchronously: a pause arriving while the checkpoint is being deleted would
  // otherwise leave a paused file with no checkpoint, which the next run uploads from zero.
  core.dispatch(rec, { type: 'complete', url: result.url, offset: size })
  await rec.offsetWrite // a late offset write must not land after the final one below
  try {
    // Remembered as finished, a file picked again is recognised by one HEAD instead of re-sent.
    if (core.options.rememberFinished && checkpoint?.url === result.url)
      await storeCheckpoint(
        core,
        rec,
        withIdentity(rec, { ...checkpoint, offset: size, finished: true, updatedAt: Date.now() }),
      )
    else await forgetCheckpoint(core, rec)
  } catch {
    // A stale checkpoint is harmless: its HEAD will show the upload complete or gone.
  }
  void forgetKept(core, rec) // the keeper's I/O never holds a slot
  await rec.source?.close().catch(() => {})
  core.events.emit('completed', {
    id: rec.id,
    url: result.url,
    ...(rec.alreadyUploaded ? { alreadyUploaded: true } : {}),
    ...(result.response ? { response: result.response } : {}),
    ...(result.verified ? { verified: result.verified } : {}),
    ...(result.instant ? { instant: true } : {}),
    ...(result.identity ? { identity: result.identity } : {}),
  })
}

function fail(core: EngineCore, rec: FileRecord, error: UploadError): false {
  rec.bytesSent = offsetOf(rec.state)
  core.dispatch(rec, { type: 'fail', error })
  core.events.emit('failed', { id: rec.id, error })
  return false
}

/** No answer at all (as opposed to an HTTP status): what a network outage looks like. */
const isNetworkFailure = (error: UploadError): boolean =>
  !(error instanceof HttpStatusError) && (error.code === 'ERR_NETWORK' || error.code === 'ERR_STALLED')

/** Waits in 'retrying' (reason 'network') until the network is back; spends no retry. */
async function waitForNetwork(core: EngineCore, rec: FileRecord, error: UploadError): Promise<true> {
  const signal = rec.controller?.signal
  rec.bytesSent = offsetOf(rec.state)
  rec.meter.reset(rec.bytesSent, core.options.clock.now())
  core.dispatch(rec, { type: 'backoff', reason: 'network', attempt: rec.attempts, retryAt: null, error })
  if (signal) await core.connectivity.whenOnline(signal)
  return true
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
  let error: UploadError
  if (d.kind === 'auth') {
    const outcome = await refreshCredentials(core, rec, d, authGeneration)
    if (typeof outcome === 'boolean') return outcome
    error = outcome // the refresh could not reach its endpoint: back off like any network error
  } else if (d.kind === 'fatal') {
    return fail(core, rec, d.error)
  } else {
    error =
      d.kind === 'aborted'
        ? new UploadError('ERR_NETWORK', 'The request was aborted', { cause: err, retryable: true })
        : d.error
  }
  // No answer: if the network is down (the platform says so, or the endpoint does not answer a
  // probe either), wait for it instead of spending the budget on requests that cannot succeed.
  let reachable = false
  if (isNetworkFailure(error)) {
    if (core.connectivity.online) reachable = (await core.connectivity.check()) && core.connectivity.monitored
    if (signal.aborted) return true // paused or canceled meanwhile: the caller sees the run is stale
    if (!core.connectivity.online) return waitForNetwork(core, rec, error)
  }
  // The server asked us to slow down and said for how long: wait as asked, spending no retry.
  if (
    d.kind === 'retry' &&
    d.retryAfter !== undefined &&
    error instanceof HttpStatusError &&
    error.status === 429 &&
    rec.rateLimitWaits < MAX_RATE_LIMIT_WAITS
  ) {
    rec.rateLimitWaits++
    rec.bytesSent = offsetOf(rec.state)
    const retryAt = options.clock.now() + d.retryAfter
    core.dispatch(rec, { type: 'backoff', reason: 'rate-limit', attempt: rec.attempts, retryAt, error })
    core.events.emit('retry', { id: rec.id, attempt: rec.attempts, delay: d.retryAfter, error })
    await core.sleep(d.retryAfter, signal)
    return true
  }
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
  if (delay === undefined) {
    // The endpoint answers a probe, yet this request got no answer the page may read.
    if (reachable)
      return fail(
        core,
        rec,
        new UploadError(
          'ERR_BLOCKED',
          `${error.message}, while the server answers: the browser refused its response (CORS) or the connection was reset`,
          { cause: error, retryable: true },
        ),
      )
    return fail(core, rec, error)
  }
  rec.bytesSent = confirmed
  core.dispatch(rec, { type: 'backoff', attempt: rec.attempts, retryAt: options.clock.now() + delay, error })
  core.events.emit('retry', { id: rec.id, attempt: rec.attempts, delay, error })
  await core.sleep(delay, signal) // resolves early on abort; the caller then sees the run is stale
  return true
}

/**
 * A 401/403: refresh the credentials (once for all files), or end the file. Returns true to run
 * another attempt, false when the file failed, or the refresh's retryable error (its endpoint was
 * unreachable) for the caller to back off on.
 */
async function refreshCredentials(
  core: EngineCore,
  rec: FileRecord,
  d: Extract<ReturnType<typeof classifyError>, { kind: 'auth' }>,
  authGeneration: number,
): Promise<boolean | UploadError> {
  const { options } = core
  // A 403 may be expired credentials (S3, many gateways) or a refusal (quota, permission). One
  // refresh tells them apart: a 403 that fresh credentials did not cure ends the file with the
  // server's own sentence, which says what to do.
  if (d.status === 403 && (!options.onAuthExpired || rec.authRefreshes >= 1)) {
    return fail(core, rec, refusal(d.error))
  }
  core.events.emit('auth-expired', { id: rec.id, status: d.status })
  if (!options.onAuthExpired) return fail(core, rec, d.error)
  // The refused request carried credentials a refresh has replaced since (another file's 401 got
  // there first): it says nothing about the new ones, so it goes again without counting. With
  // short-lived tokens a slow file could otherwise spend its refreshes on tokens already replaced.
  if (authGeneration < core.auth.generation) return true
  // The refused credentials had worked for this file (a request succeeded with them): they
  // expired since, a new expiry rather than a refresh the server did not accept. A slow network
  // can outlast a short-lived token between a HEAD and the PATCH after it.
  if (
    d.status === 401 &&
    rec.authRefreshes > 0 &&
    rec.authProven >= authGeneration &&
    rec.authRenewals < MAX_AUTH_RENEWALS
  ) {
    rec.authRenewals++
    rec.authRefreshes = 0
  }
  if (rec.authRefreshes >= MAX_AUTH_REFRESHES) {
    const said = d.error instanceof HttpStatusError ? d.error.serverMessage : undefined
    return fail(
      core,
      rec,
      new UploadError(
        'ERR_AUTH_EXPIRED',
        `Still unauthorized after refreshing credentials${said ? `: ${firstLine(said)}` : ''}`,
        { cause: d.error },
      ),
    )
  }
  rec.authRefreshes++
  let refreshed: boolean
  try {
    refreshed = await core.auth.refresh({ id: rec.id, status: d.status }, authGeneration)
  } catch (refreshErr) {
    const error = toUploadError(refreshErr)
    if (!error.retryable) return fail(core, rec, error)
    rec.authRefreshes-- // nothing was refreshed: this one does not count
    return error
  }
  // The hook has nothing new to offer: the server's answer stands, as without a hook.
  if (!refreshed) return fail(core, rec, d.status === 403 ? refusal(d.error) : d.error)
  return true
}

const firstLine = (text: string) => text.trim().split('\n')[0]?.slice(0, 300) ?? ''

/**
 * A server's refusal (403 that fresh credentials did not cure) as the file's error: the server's
 * sentence is the message (a quota or permission explanation is for the user); the HTTP details
 * stay in `cause`.
 */
function refusal(error: UploadError): UploadError {
  const said = error instanceof HttpStatusError ? error.serverMessage : undefined
  if (!said) return error
  return new UploadError('ERR_FORBIDDEN', firstLine(said), { cause: error })
}
