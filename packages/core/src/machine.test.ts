import { UploadError } from '@shuttle/protocol'
import { describe, expect, it } from 'vitest'
import {
  ACTIVE_STATUSES,
  canTransition,
  isActive,
  isRunning,
  offsetOf,
  transition,
  type UploadEvent,
  type UploadEventType,
  type UploadState,
  type UploadStatus,
} from './machine.js'

const err = new UploadError('ERR_NETWORK', 'cut', { retryable: true })

const states: Record<UploadStatus, UploadState> = {
  idle: { status: 'idle' },
  queued: { status: 'queued', offset: 5, url: 'u' },
  preparing: { status: 'preparing', offset: 5, url: 'u' },
  uploading: { status: 'uploading', offset: 5, url: 'u' },
  paused: { status: 'paused', offset: 5, url: 'u' },
  retrying: {
    status: 'retrying',
    reason: 'backoff',
    offset: 5,
    url: 'u',
    attempt: 1,
    retryAt: 100,
    error: err,
  },
  completed: { status: 'completed', url: 'u', offset: 10 },
  failed: { status: 'failed', offset: 5, url: 'u', error: err },
  canceled: { status: 'canceled' },
}

const events: Record<UploadEventType, UploadEvent> = {
  enqueue: { type: 'enqueue' },
  prepare: { type: 'prepare' },
  begin: { type: 'begin', offset: 7 },
  advance: { type: 'advance', offset: 8 },
  restart: { type: 'restart' },
  pause: { type: 'pause' },
  resume: { type: 'resume' },
  backoff: { type: 'backoff', attempt: 2, retryAt: 500, error: err },
  complete: { type: 'complete', url: 'done', offset: 10 },
  fail: { type: 'fail', error: err },
  retry: { type: 'retry' },
  cancel: { type: 'cancel' },
}

// Every allowed move, written out by hand (not derived from TRANSITIONS, so the table is checked).
const allowed: Array<[UploadStatus, UploadEventType, UploadStatus]> = [
  ['idle', 'enqueue', 'queued'],
  ['idle', 'cancel', 'canceled'],
  ['queued', 'prepare', 'preparing'],
  ['queued', 'pause', 'paused'],
  ['queued', 'cancel', 'canceled'],
  ['preparing', 'begin', 'uploading'],
  ['preparing', 'pause', 'paused'],
  ['preparing', 'backoff', 'retrying'],
  ['preparing', 'fail', 'failed'],
  ['preparing', 'cancel', 'canceled'],
  ['uploading', 'advance', 'uploading'],
  ['uploading', 'restart', 'uploading'],
  ['uploading', 'pause', 'paused'],
  ['uploading', 'backoff', 'retrying'],
  ['uploading', 'complete', 'completed'],
  ['uploading', 'fail', 'failed'],
  ['uploading', 'cancel', 'canceled'],
  ['paused', 'resume', 'queued'],
  ['paused', 'cancel', 'canceled'],
  ['retrying', 'begin', 'uploading'],
  ['retrying', 'backoff', 'retrying'],
  ['retrying', 'pause', 'paused'],
  ['retrying', 'fail', 'failed'],
  ['retrying', 'cancel', 'canceled'],
  ['failed', 'retry', 'queued'],
  ['failed', 'cancel', 'canceled'],
]

const isAllowed = (s: UploadStatus, e: UploadEventType) => allowed.some(([a, b]) => a === s && b === e)
const forbidden: Array<[UploadStatus, UploadEventType]> = (Object.keys(states) as UploadStatus[]).flatMap(
  (s) =>
    (Object.keys(events) as UploadEventType[])
      .filter((e) => !isAllowed(s, e))
      .map((e): [UploadStatus, UploadEventType] => [s, e]),
)

describe('transition', () => {
  it.each(allowed)('%s --%s--> %s', (from, event, to) => {
    expect(canTransition(states[from], event)).toBe(true)
    expect(transition(states[from], events[event]).status).toBe(to)
  })

  it.each(forbidden)('%s --%s--> throws ERR_INVALID_TRANSITION', (from, event) => {
    expect(canTransition(states[from], event)).toBe(false)
    let thrown: unknown
    try {
      transition(states[from], events[event])
    } catch (e) {
      thrown = e
    }
    expect(thrown).toBeInstanceOf(UploadError)
    expect((thrown as UploadError).code).toBe('ERR_INVALID_TRANSITION')
  })

  it('covers every (status, event) pair exactly once', () => {
    expect(allowed.length + forbidden.length).toBe(9 * 12)
  })

  it('keeps offset and url through pause and resume', () => {
    const paused = transition(states.uploading, events.pause)
    expect(paused).toEqual({ status: 'paused', offset: 5, url: 'u' })
    expect(transition(paused, events.resume)).toEqual({ status: 'queued', offset: 5, url: 'u' })
  })

  it('carries the data each state needs', () => {
    expect(transition(states.uploading, events.backoff)).toEqual({
      status: 'retrying',
      offset: 5,
      url: 'u',
      reason: 'backoff',
      attempt: 2,
      retryAt: 500,
      error: err,
    })
    // Waiting for the network: a distinct reason, no time set, the position kept.
    expect(
      transition(states.uploading, {
        type: 'backoff',
        reason: 'network',
        attempt: 0,
        retryAt: null,
        error: err,
      }),
    ).toMatchObject({ status: 'retrying', reason: 'network', retryAt: null, offset: 5, url: 'u' })
    expect(transition(states.retrying, events.begin)).toEqual({ status: 'uploading', offset: 7, url: 'u' })
    expect(transition(states.uploading, events.complete)).toEqual({
      status: 'completed',
      url: 'done',
      offset: 10,
    })
    expect(transition(states.uploading, events.fail)).toMatchObject({
      status: 'failed',
      offset: 5,
      error: err,
    })
  })

  it('restart drops the URL and the offset; advance sets either alone', () => {
    expect(transition(states.uploading, events.restart)).toEqual({ status: 'uploading', offset: 0 })
    expect(transition(states.uploading, { type: 'advance', url: 'v' })).toEqual({
      status: 'uploading',
      offset: 5,
      url: 'v',
    })
  })

  it('offsetOf reads the one recorded position; states without one are at 0', () => {
    expect(offsetOf(states.paused)).toBe(5)
    expect(offsetOf(states.completed)).toBe(10)
    expect(offsetOf(states.idle)).toBe(0)
    expect(offsetOf(states.canceled)).toBe(0)
  })

  it('active = waiting for or holding a slot; running = holding one', () => {
    expect([...ACTIVE_STATUSES].sort()).toEqual(['preparing', 'queued', 'retrying', 'uploading'])
    expect(isActive('queued')).toBe(true)
    expect(isRunning('queued')).toBe(false)
    expect(isRunning('retrying')).toBe(true)
    for (const s of ['idle', 'paused', 'completed', 'failed', 'canceled'] as const)
      expect(isActive(s)).toBe(false)
  })

  it('is pure: the input state is not mutated', () => {
    const s = { ...states.uploading }
    transition(s, events.advance)
    expect(s).toEqual(states.uploading)
  })
})
