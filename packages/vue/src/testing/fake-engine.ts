import type { RestoredFile, UploadState } from '@shuttle/core'
import { UploadError } from '@shuttle/protocol'
import type {
  Engine,
  EngineError,
  EngineEventName,
  EngineEvents,
  EngineInput,
  EngineOptions,
  EngineStatus,
  FileId,
  FileSnapshot,
} from '../engine.js'

let fakeIds = 0

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** The lifecycle state core would hold for a file in `status` (snapshots carry both). */
function stateOf(status: EngineStatus, f: Mutable<FileSnapshot>): UploadState {
  const position = { offset: f.bytesConfirmed, ...(f.url === undefined ? {} : { url: f.url }) }
  const error = f.error ?? new UploadError('ERR_NETWORK', 'fake engine error')
  switch (status) {
    case 'idle':
    case 'canceled':
      return { status }
    case 'completed':
      return { status, url: f.url ?? '', offset: f.bytesConfirmed }
    case 'failed':
      return { status, error, ...position }
    case 'retrying':
      return {
        status,
        reason: f.waitingFor ?? 'backoff',
        attempt: f.attempts,
        retryAt: 0,
        error,
        ...position,
      }
    default:
      return { status, ...position }
  }
}

const isList = (input: EngineInput | readonly EngineInput[]): input is readonly EngineInput[] =>
  Array.isArray(input)

/**
 * An in-memory engine with core's contract, driven by hand from tests (component tests only; the
 * e2e suite runs the real engine against the real server). It implements only `Engine`, the part
 * of core's Uploader this package uses.
 */
export class FakeEngine implements Engine {
  readonly calls: Array<[string, ...unknown[]]> = []
  readonly inputs = new Map<FileId, { input: EngineInput; metadata?: Record<string, string> }>()
  private files = new Map<FileId, Mutable<FileSnapshot>>()
  private listeners = new Map<string, Set<(p: unknown) => void>>()
  destroyed = false

  /** What createUploader() was called with (empty for an engine built by hand). */
  readonly options: Partial<EngineOptions>
  constructor(options: Partial<EngineOptions> = {}) {
    this.options = options
  }

  private emit<E extends EngineEventName>(event: E, payload: EngineEvents[E]): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) fn(payload)
  }

  /** Replaces the file's snapshot; emits 'state-change' when the status changed. */
  private update(id: FileId, status: EngineStatus, extra: Partial<Mutable<FileSnapshot>> = {}): void {
    const f = this.files.get(id)
    if (!f) throw new Error(`no file ${id}`)
    const next = { ...f, ...extra, status }
    next.state = stateOf(status, next)
    this.files.set(id, next)
    if (f.status !== status) this.emit('state-change', { id, from: f.state, to: next.state })
  }

  on<E extends EngineEventName>(event: E, fn: (payload: EngineEvents[E]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set()
    this.listeners.set(event, set)
    set.add(fn as (p: unknown) => void)
    return () => set.delete(fn as (p: unknown) => void)
  }

  add(input: EngineInput | readonly EngineInput[], metadata?: Record<string, string>): FileId[] {
    this.calls.push(['add', input, metadata])
    const list = isList(input) ? input : [input]
    return list.map((inp) => {
      const id = `f${++fakeIds}` // unique across engines, as core's ids are
      const blob = inp instanceof Blob ? inp : inp.blob
      const name = inp instanceof File ? inp.name : inp instanceof Blob ? 'blob' : inp.name
      this.inputs.set(id, { input: inp, metadata })
      const snap: Mutable<FileSnapshot> = {
        id,
        name,
        size: blob.size,
        type: inp instanceof Blob ? inp.type : (inp.type ?? blob.type),
        metadata: metadata ?? {},
        state: { status: 'queued', offset: 0 },
        status: 'queued',
        bytesConfirmed: 0,
        bytesSent: 0,
        percent: 0,
        speed: 0,
        eta: null,
        attempts: 0,
      }
      this.files.set(id, snap)
      this.emit('file-added', { file: { ...snap } })
      return id
    })
  }

  // ---- test drivers ----
  progress(id: FileId, bytes: number, speed = 1000): void {
    const size = this.files.get(id)?.size ?? 0
    this.update(id, 'uploading', {
      bytesSent: bytes,
      bytesConfirmed: bytes,
      percent: size ? (bytes / size) * 100 : 0,
      speed,
      eta: speed ? (size - bytes) / speed : null,
    })
    this.emit('progress', { id, bytesSent: bytes, bytesConfirmed: bytes, bytesTotal: size, speed, eta: null })
  }
  complete(id: FileId, url = `http://x/files/${id}`, response?: { status: number; body: string }): void {
    const size = this.files.get(id)?.size ?? 0
    this.update(id, 'completed', { url, percent: 100, bytesSent: size, bytesConfirmed: size, speed: 0 })
    this.emit('completed', response ? { id, url, response } : { id, url })
  }
  fail(id: FileId, error: EngineError = new UploadError('ERR_HTTP_STATUS', 'boom')): void {
    this.update(id, 'failed', { error })
    this.emit('failed', { id, error })
  }

  // ---- contract ----
  start(): void {
    this.calls.push(['start'])
  }
  pause(id: FileId): void {
    this.calls.push(['pause', id])
    this.update(id, 'paused', { speed: 0 })
  }
  resume(id: FileId, opts?: { first?: boolean }): void {
    this.calls.push(['resume', id, opts])
    this.update(id, 'queued')
  }
  retry(id: FileId, opts?: { first?: boolean }): void {
    this.calls.push(['retry', id, opts])
    this.update(id, 'queued', { error: undefined })
  }
  async cancel(id: FileId): Promise<void> {
    this.calls.push(['cancel', id])
    this.update(id, 'canceled', { speed: 0 })
    this.emit('canceled', { id })
  }
  async remove(id: FileId): Promise<void> {
    this.calls.push(['remove', id])
    this.files.delete(id)
    this.emit('removed', { id })
  }
  pauseAll(): void {
    this.calls.push(['pauseAll'])
    for (const f of this.files.values())
      if (f.status === 'uploading' || f.status === 'queued') this.pause(f.id)
  }
  resumeAll(): void {
    this.calls.push(['resumeAll'])
    for (const f of this.files.values()) if (f.status === 'paused') this.resume(f.id)
  }
  async cancelAll(): Promise<void> {
    for (const f of [...this.files.values()]) await this.cancel(f.id)
  }
  move(id: FileId, index: number): void {
    this.calls.push(['move', id, index])
    const all = [...this.files.entries()]
    const at = all.findIndex(([k]) => k === id)
    const [item] = all.splice(at, 1)
    if (item) all.splice(index, 0, item)
    this.files = new Map(all)
  }
  getFiles(): readonly FileSnapshot[] {
    return [...this.files.values()].map((f) => ({ ...f }))
  }
  getFile(id: FileId): FileSnapshot | undefined {
    const f = this.files.get(id)
    return f && { ...f }
  }
  /** What restoreSession() of the next engines returns (nothing unfinished unless a test sets it). */
  static restorable: RestoredFile[] = []
  /** What requestAccess() gives back: the user allowed access (an input), or refused (undefined). */
  static allowed: unknown

  async restoreSession(opts?: { add?: boolean }): Promise<RestoredFile[]> {
    this.calls.push(['restoreSession', opts])
    return FakeEngine.restorable
  }

  async requestAccess(
    fingerprint: string,
    opts?: { add?: boolean },
  ): Promise<{ input: unknown } | undefined> {
    this.calls.push(['requestAccess', fingerprint, opts])
    return FakeEngine.allowed === undefined ? undefined : { input: FakeEngine.allowed }
  }

  /** The engine found a restored file back in the list (core emits it from the fingerprint lookup). */
  restored(id: FileId, fingerprint: string): void {
    this.emit('restored', { id, fingerprint })
  }

  async destroy(): Promise<void> {
    this.destroyed = true
  }
}
