import { UploadError } from '@shuttle/protocol'
import { urlOf } from '../machine.js'
import { createAbortController, linkedController } from '../platform.js'
import type { Checkpoint, HttpResponse } from '../ports.js'
import { statusError } from '../transports/http.js'
import type { TransportContext, TransportRequest, TransportResult } from '../transports/transport.js'
import { storeCheckpoint, withIdentity } from './checkpoint-keys.js'
import type { EngineCore } from './core.js'
import type { FileRecord } from './file-record.js'

/** How one attempt ended. */
export type AttemptOutcome =
  | { ok: true; result: TransportResult }
  | {
      ok: false
      error: unknown
      /**
       * The credentials generation the newest 401/403 of this attempt was sent with (the attempt's
       * starting one if none was seen), so a token that was refreshed meanwhile is not refreshed twice.
       */
      authGeneration: number
    }

export async function userHeaders(core: EngineCore, id: string, method: string, url: string) {
  const h = core.options.headers
  if (h === undefined) return {}
  if (typeof h !== 'function') return h
  try {
    return await h({ id, method, url })
  } catch (cause) {
    throw new UploadError('ERR_INVALID_OPTIONS', "The 'headers' function threw", { cause })
  }
}

/**
 * One attempt of one file through the transport. Adds user headers to every request, watches for
 * stalls (no progress for stallTimeout → abort, ERR_STALLED) and turns 401/403 into errors the
 * runner hands to the auth gate. Callbacks from a run that was paused or canceled are dropped.
 */
export async function runAttempt(
  core: EngineCore,
  rec: FileRecord,
  run: number,
  /**
   * Runs before the transport, with this attempt's context (requests, signal) but before its
   * checkpoint and identity are read from the record: the last of 'preparing' (hashing), which may
   * find the checkpoint. Its errors end the attempt like the transport's.
   */
  beforeUpload?: (ctx: TransportContext) => Promise<void>,
): Promise<AttemptOutcome> {
  const { options, transport } = core
  const source = rec.source
  if (!source || !rec.controller) throw new UploadError('ERR_INTERNAL', 'attempt started before preparing')
  // A paused attempt may still be finishing a creation request: its URL must be in the checkpoint
  // before this one reads it, or this one would create a second upload.
  await rec.attempt
  if (!core.isCurrent(rec, run)) throw new UploadError('ERR_ABORTED', 'Stopped')
  const { controller, dispose } = linkedController(rec.controller.signal)
  // Aborted only by a stall: creation requests listen to this one instead of the pause.
  const stallController = createAbortController()
  const clock = options.clock
  const live = () => core.isCurrent(rec, run)
  let inFlight = 0
  let lastActivity = clock.now()
  let stalled = false
  // Set when the engine interrupts this attempt (the network went down): the error to report.
  let interrupted: UploadError | undefined
  rec.interrupt = (reason) => {
    interrupted ??= reason
    controller.abort(reason)
  }
  let timer: unknown
  let authGeneration = core.auth.generation
  const touch = () => {
    lastActivity = clock.now()
  }
  const watch = (ms: number) => {
    timer = clock.setTimeout(() => {
      const idle = clock.now() - lastActivity
      if (inFlight > 0 && idle >= options.stallTimeout) {
        stalled = true
        const reason = new UploadError('ERR_STALLED', 'No progress', { retryable: true })
        stallController.abort(reason)
        controller.abort(reason)
      } else watch(inFlight > 0 ? options.stallTimeout - idle : options.stallTimeout)
    }, ms)
  }
  watch(options.stallTimeout)

  const send = async (request: TransportRequest): Promise<HttpResponse> => {
    const { userHeaders: withUserHeaders, creates, ...req } = request
    const link = linkedController(creates ? stallController.signal : (req.signal ?? controller.signal))
    // Read before the headers: a refresh finishing while they resolve must not make a 401 to the
    // old token look like one to the new token (that would refresh twice for one expiry).
    const generation = core.auth.generation
    const headers =
      withUserHeaders === false
        ? { ...req.headers }
        : { ...(await userHeaders(core, rec.id, req.method, req.url)), ...req.headers }
    inFlight++
    touch()
    try {
      const res = await options.httpClient.send({
        ...req,
        headers,
        withCredentials: req.withCredentials ?? options.withCredentials,
        signal: link.controller.signal,
        onUploadProgress: (n) => {
          touch()
          req.onUploadProgress?.(n)
        },
      })
      if (res.status === 401 || res.status === 403) {
        authGeneration = Math.max(authGeneration, generation)
        throw statusError(res, req.method, req.url)
      }
      if (res.status < 400 && withUserHeaders !== false) rec.authProven = Math.max(rec.authProven, generation)
      return res
    } catch (err) {
      if (interrupted) throw interrupted
      if (stalled) {
        throw new UploadError(
          'ERR_STALLED',
          `${req.method} ${req.url} made no progress for ${options.stallTimeout} ms`,
          {
            cause: err,
            retryable: true,
          },
        )
      }
      throw err
    } finally {
      inFlight--
      touch()
      link.dispose()
    }
  }

  const metadata = core.metadataOf(rec)
  const base: TransportContext = {
    id: rec.id,
    source,
    size: source.info.size,
    metadata,
    options,
    checkpoint: undefined,
    signal: controller.signal,
    send,
    // Even from a stopped run: a creation it let finish must reach the checkpoint (see `creates`).
    saveCheckpoint: async ({ url, state }) => {
      const now = Date.now()
      const cp: Checkpoint = {
        transport: transport.name,
        ...(url === undefined ? {} : { url }),
        size: source.info.size,
        endpoint: options.endpoint,
        metadata: { ...metadata },
        state,
        createdAt: rec.checkpoint?.createdAt ?? now,
        updatedAt: now,
      }
      rec.checkpoint = withIdentity(rec, cp)
      try {
        await storeCheckpoint(core, rec, rec.checkpoint)
      } catch {
        // A full or unavailable store costs resume-after-reload, not the upload itself.
      }
    },
    confirmed: (n) => {
      if (live()) core.setConfirmed(rec, n)
    },
    sent: (n) => {
      if (live()) core.setSent(rec, n)
    },
    created: (url) => {
      // A stopped run's creation (let finish on pause) keeps its URL in the paused state.
      if (live()) core.dispatch(rec, { type: 'advance', url })
      else if ('offset' in rec.state && urlOf(rec.state) === undefined) {
        rec.state = { ...rec.state, url }
        delete rec.snapshot
      }
      core.events.emit('upload-created', { id: rec.id, url })
    },
    completing: () => {
      if (live()) core.events.emit('completing', { id: rec.id })
    },
    checksumMismatch: (offset) => {
      if (live()) core.events.emit('checksum-mismatch', { id: rec.id, offset })
    },
    restarted: (reason, oldUrl) => {
      if (!live()) return
      core.setConfirmed(rec, 0)
      core.dispatch(rec, { type: 'restart' })
      core.events.emit('upload-restarted', { id: rec.id, reason, oldUrl })
    },
  }
  try {
    await beforeUpload?.(base)
    // Stopped while preparing (a pause mid-hash, destroy): no request of the transport goes out.
    if (!live() || controller.signal.aborted) throw new UploadError('ERR_ABORTED', 'Stopped')
    const ctx: TransportContext = {
      ...base,
      checkpoint: rec.checkpoint,
      ...(rec.identity ? { identity: rec.identity } : {}),
      ...(rec.identity && rec.identityBlocks ? { identityBlocks: rec.identityBlocks } : {}),
    }
    const attempt = transport.upload(ctx)
    rec.attempt = attempt.catch(() => {})
    return { ok: true, result: await attempt }
  } catch (error) {
    return { ok: false, error: interrupted ?? error, authGeneration }
  } finally {
    delete rec.interrupt
    clock.clearTimeout(timer)
    dispose()
  }
}
