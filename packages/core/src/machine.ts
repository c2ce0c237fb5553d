import { UploadError } from '@shuttle/protocol'

// The per-file lifecycle of DESIGN.md as data: one union of states, one union of events, one
// table saying which event moves which status where, and one pure reducer (STYLE 3.1).

/**
 * Where the upload stands on the server, carried by every state that knows it. This is the one
 * place the engine keeps it: snapshots and progress read it from here (offsetOf, urlOf).
 */
interface Position {
  /** Bytes the server confirmed. */
  offset: number
  /** The upload URL once created. */
  url?: string
}

/**
 * Why a file waits in 'retrying': a backoff after a failure (spends the retry budget), the network
 * being down (waits for it, spends nothing), or the server asking to slow down (429 with
 * Retry-After: waits as asked, spends nothing).
 */
export type RetryReason = 'backoff' | 'network' | 'rate-limit'

export type UploadState =
  | { status: 'idle' }
  | ({ status: 'queued' } & Position)
  | ({ status: 'preparing' } & Position)
  | ({ status: 'uploading' } & Position)
  | ({ status: 'paused' } & Position)
  | ({
      status: 'retrying'
      reason: RetryReason
      attempt: number
      /** When the next attempt starts (clock ms); null while waiting for the network. */
      retryAt: number | null
      error: UploadError
    } & Position)
  | { status: 'completed'; url: string; offset: number }
  | ({ status: 'failed'; error: UploadError } & Position)
  | { status: 'canceled' }

export type UploadStatus = UploadState['status']

export type UploadEvent =
  | { type: 'enqueue' }
  | { type: 'prepare' }
  | { type: 'begin'; offset?: number; url?: string }
  | { type: 'advance'; offset?: number; url?: string }
  /** The server lost the upload; a fresh one starts at 0 with no URL yet. */
  | { type: 'restart' }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'backoff'; reason?: RetryReason; attempt: number; retryAt: number | null; error: UploadError }
  | { type: 'complete'; url: string; offset: number }
  | { type: 'fail'; error: UploadError }
  | { type: 'retry' }
  | { type: 'cancel' }

export type UploadEventType = UploadEvent['type']

/** The one transition table: status → event → next status. Anything missing is illegal. */
export const TRANSITIONS: {
  readonly [S in UploadStatus]: Partial<Readonly<Record<UploadEventType, UploadStatus>>>
} = {
  idle: { enqueue: 'queued', cancel: 'canceled' },
  queued: { prepare: 'preparing', pause: 'paused', cancel: 'canceled' },
  preparing: { begin: 'uploading', pause: 'paused', backoff: 'retrying', fail: 'failed', cancel: 'canceled' },
  uploading: {
    advance: 'uploading',
    restart: 'uploading',
    pause: 'paused',
    backoff: 'retrying',
    complete: 'completed',
    fail: 'failed',
    cancel: 'canceled',
  },
  paused: { resume: 'queued', cancel: 'canceled' },
  retrying: { begin: 'uploading', backoff: 'retrying', pause: 'paused', fail: 'failed', cancel: 'canceled' },
  completed: {},
  failed: { retry: 'queued', cancel: 'canceled' },
  canceled: {},
}

export function canTransition(state: UploadState, type: UploadEventType): boolean {
  return TRANSITIONS[state.status][type] !== undefined
}

function position(state: UploadState): Position {
  if ('offset' in state)
    return state.url === undefined ? { offset: state.offset } : { offset: state.offset, url: state.url }
  return { offset: 0 }
}

/**
 * The pure reducer. Throws UploadError('ERR_INVALID_TRANSITION') for a move the table forbids.
 *
 * @example
 * transition({ status: 'paused', offset: 10 }, { type: 'resume' }) // { status: 'queued', offset: 10 }
 */
export function transition(state: UploadState, event: UploadEvent): UploadState {
  const to = TRANSITIONS[state.status][event.type]
  if (to === undefined) {
    throw new UploadError('ERR_INVALID_TRANSITION', `Cannot ${event.type} an upload that is ${state.status}`)
  }
  const pos = position(state)
  switch (event.type) {
    case 'enqueue':
    case 'prepare':
    case 'pause':
    case 'resume':
    case 'retry':
      return { status: to as 'queued' | 'preparing' | 'paused', ...pos }
    case 'begin':
    case 'advance': {
      const url = event.url ?? pos.url
      const offset = event.offset ?? pos.offset
      return url === undefined ? { status: 'uploading', offset } : { status: 'uploading', offset, url }
    }
    case 'restart':
      return { status: 'uploading', offset: 0 }
    case 'backoff':
      return {
        status: 'retrying',
        ...pos,
        reason: event.reason ?? 'backoff',
        attempt: event.attempt,
        retryAt: event.retryAt,
        error: event.error,
      }
    case 'complete':
      return { status: 'completed', url: event.url, offset: event.offset }
    case 'fail':
      return { status: 'failed', ...pos, error: event.error }
    case 'cancel':
      return { status: 'canceled' }
  }
}

/** Bytes the server confirmed, as the state records them (0 for states that hold no position). */
export const offsetOf = (s: UploadState): number => (s as { offset?: number }).offset ?? 0

/** The upload URL, once the state knows it. */
export const urlOf = (s: UploadState): string | undefined => (s as { url?: string }).url

/** Statuses that hold one of the `maxConcurrentUploads` slots. */
export const RUNNING_STATUSES: ReadonlySet<UploadStatus> = new Set(['preparing', 'uploading', 'retrying'])

/**
 * Statuses of a file on its way: waiting for a slot or holding one. What pauseAll pauses, what a UI
 * counts as "active" and shows a moving bar for.
 */
export const ACTIVE_STATUSES: ReadonlySet<UploadStatus> = new Set(['queued', ...RUNNING_STATUSES])

export const TERMINAL_STATUSES: ReadonlySet<UploadStatus> = new Set(['completed', 'canceled'])

/** Holds a slot: preparing, uploading or retrying. */
export const isRunning = (status: UploadStatus): boolean => RUNNING_STATUSES.has(status)

/**
 * On its way: queued, preparing, uploading or retrying.
 *
 * @example
 * uploader.getFiles().filter((f) => isActive(f.status)).length // files still moving
 */
export const isActive = (status: UploadStatus): boolean => ACTIVE_STATUSES.has(status)

export const isTerminal = (status: UploadStatus): boolean => TERMINAL_STATUSES.has(status)
