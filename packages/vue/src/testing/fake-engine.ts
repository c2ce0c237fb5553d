import type {
  Engine,
  EngineError,
  EngineEventName,
  EngineEvents,
  EngineInput,
  EngineStatus,
  FileId,
  FileSnapshot,
} from '../engine.js'

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/**
 * An in-memory engine with core's contract, driven by hand from tests (component tests only; the
 * e2e suite runs the real engine against the real server).
 */
export class FakeEngine implements Engine {
  readonly calls: Array<[string, ...unknown[]]> = []
  readonly inputs = new Map<FileId, { input: EngineInput; metadata?: Record<string, string> }>()
  private files = new Map<FileId, Mutable<FileSnapshot>>()
  private listeners = new Map<string, Set<(p: unknown) => void>>()
  private seq = 0
  destroyed = false

  readonly options: Record<string, unknown>
  constructor(options: Record<string, unknown> = {}) {
    this.options = options
  }

  private emit<E extends EngineEventName>(event: E, payload: EngineEvents[E]): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) fn(payload)
  }

  private set(id: FileId, status: EngineStatus, extra: Partial<Mutable<FileSnapshot>> = {}): void {
    const f = this.files.get(id)
    if (!f) throw new Error(`no file ${id}`)
    const from = f.status
    this.files.set(id, { ...f, status, ...extra })
    this.emit('state-change', { id, from: { status: from }, to: { status } })
  }

  on<E extends EngineEventName>(event: E, fn: (payload: EngineEvents[E]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set()
    this.listeners.set(event, set)
    set.add(fn as (p: unknown) => void)
    return () => set.delete(fn as (p: unknown) => void)
  }

  add(input: EngineInput | EngineInput[], metadata?: Record<string, string>): FileId[] {
    this.calls.push(['add', input, metadata])
    const list = Array.isArray(input) ? input : [input]
    return list.map((inp) => {
      const id = `f${++this.seq}`
      const blob = 'blob' in inp && !(inp instanceof Blob) ? inp.blob : (inp as Blob)
      const name = 'name' in inp ? String(inp.name) : 'blob'
      this.inputs.set(id, { input: inp, metadata })
      const snap: Mutable<FileSnapshot> = {
        id,
        name,
        size: blob.size,
        type: blob.type,
        metadata: metadata ?? {},
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
    const f = this.files.get(id)!
    const size = f.size ?? 0
    this.files.set(id, {
      ...f,
      status: 'uploading',
      bytesSent: bytes,
      bytesConfirmed: bytes,
      percent: size ? (bytes / size) * 100 : 0,
      speed,
      eta: speed ? (size - bytes) / speed : null,
    })
    if (f.status !== 'uploading')
      this.emit('state-change', { id, from: { status: f.status }, to: { status: 'uploading' } })
    this.emit('progress', { id, bytesSent: bytes, bytesConfirmed: bytes, bytesTotal: size, speed, eta: null })
  }
  complete(id: FileId, url = `http://x/files/${id}`, response?: { status: number; body: string }): void {
    const size = this.files.get(id)?.size ?? 0
    this.set(id, 'completed', { url, percent: 100, bytesSent: size, bytesConfirmed: size, speed: 0 })
    this.emit('completed', response ? { id, url, response } : { id, url })
  }
  fail(id: FileId, error: EngineError = { message: 'boom', code: 'ERR_HTTP_STATUS' }): void {
    this.set(id, 'failed', { error })
    this.emit('failed', { id, error })
  }

  // ---- contract ----
  start(): void {
    this.calls.push(['start'])
  }
  pause(id: FileId): void {
    this.calls.push(['pause', id])
    this.set(id, 'paused', { speed: 0 })
  }
  resume(id: FileId, opts?: { first?: boolean }): void {
    this.calls.push(['resume', id, opts])
    this.set(id, 'queued')
  }
  retry(id: FileId): void {
    this.calls.push(['retry', id])
    this.set(id, 'queued', { error: undefined })
  }
  async cancel(id: FileId): Promise<void> {
    this.calls.push(['cancel', id])
    this.set(id, 'canceled', { speed: 0 })
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
  async destroy(): Promise<void> {
    this.destroyed = true
  }
}
