import { isUploadError, UploadError } from '@shuttle/protocol'
import { parseCheckpoint } from '../checkpoints/checkpoint.js'
import type { NormalizedOptions } from '../options.js'
import type { Checkpoint } from '../ports.js'
import type { Transport } from '../transports/transport.js'

/** Calls the transport factory once and checks that what it made can be driven by the engine. */
export function createTransport(options: NormalizedOptions): Transport {
  let t: Transport
  try {
    t = options.transport(options)
  } catch (cause) {
    if (isUploadError(cause)) throw cause
    throw new UploadError('ERR_INVALID_OPTIONS', "The 'transport' factory threw", { cause })
  }
  const missing = !t || typeof t !== 'object'
  if (
    missing ||
    typeof t.name !== 'string' ||
    t.name === '' ||
    typeof t.upload !== 'function' ||
    typeof t.parseState !== 'function' ||
    (t.terminate !== undefined && typeof t.terminate !== 'function') ||
    typeof t.resumable !== 'boolean'
  ) {
    throw new UploadError(
      'ERR_INVALID_OPTIONS',
      "The 'transport' factory must return { name, resumable, parallelChunks, parseState, upload, terminate? }",
    )
  }
  return t
}

/**
 * A stored checkpoint the transport can resume this file from: envelope valid (old shapes
 * migrated), saved by this transport for this size and endpoint, and a state the transport accepts.
 * Anything else means "no checkpoint": the file starts a fresh upload, never a wrong one.
 */
export function usableCheckpoint(
  transport: Transport,
  stored: unknown,
  size: number | undefined,
  endpoint: string,
): Checkpoint | undefined {
  const cp = parseCheckpoint(stored)
  if (!cp || cp.transport !== transport.name || cp.size !== size || cp.endpoint !== endpoint) return undefined
  let state: unknown
  try {
    state = transport.parseState(cp.state, cp)
  } catch {
    return undefined // a throwing validator is a refusal, not a failed upload
  }
  return state === undefined ? undefined : { ...cp, state }
}
