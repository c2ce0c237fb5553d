import { UploadError } from '@shuttle/protocol'

// The per-file lifecycle of DESIGN.md as data: one union of states, one union of events, one
// table saying which event moves which status where, and one pure reducer (STYLE 3.1).

/** Where the upload stands on the server, carried by every non-terminal state that knows it. */
interface Position {
  /** Bytes the server confirmed. */
  offset: number
  /** The upload URL once created. */
  url?: string
}

export type UploadState =
  | { status: 'idle' }
  | ({ status: 'queued' } & Position)
  | ({ status: 'preparing' } & Position)
  | ({ status: 'uploading' } & Position)
  | ({ status: 'paused' } & Position)
  | ({ status: 'retrying'; attempt: number; retryAt: number; error: UploadError } & Position)
  | { status: 'completed'; url: string; offset: number }
  | ({ status: 'failed'; error: UploadError } & Position)
  | { status: 'canceled' }

export type UploadStatus = UploadState['status']

export type UploadEvent =
  | { type: 'enqueue' }
  | { type: 'prepare' }
  | { type: 'begin'; offset?: number; url?: string }
  | { type: 'advance'; offset: number; url?: string }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'backoff'; attempt: number; retryAt: number; error: UploadError }
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
    pause: 'paused',
    backoff: 'retrying',
    complete: 'completed',
    fail: 'failed',
    cancel: 'canceled',
  },
  paused: { resume: 'queued', cancel: 'canceled' },
  retrying: { begin: 'uploading', pause: 'paused', fail: 'failed', cancel: 'canceled' },
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
    case 'backoff':
      return {
        status: 'retrying',
        ...pos,
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

/** Statuses that hold one of the `maxConcurrentUploads` slots. */
export const ACTIVE_STATUSES: ReadonlySet<UploadStatus> = new Set(['preparing', 'uploading', 'retrying'])
export const TERMINAL_STATUSES: ReadonlySet<UploadStatus> = new Set(['completed', 'canceled'])

export const isActive = (s: UploadState): boolean => ACTIVE_STATUSES.has(s.status)
export const isTerminal = (s: UploadState): boolean => TERMINAL_STATUSES.has(s.status)
