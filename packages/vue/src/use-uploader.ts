import { computeTotals, createUploader, type UploadTotals } from '@shuttle/core'
import { type ComputedRef, computed, customRef, getCurrentScope, onScopeDispose, type ShallowRef } from 'vue'
import type {
  Engine,
  EngineEventName,
  EngineEvents,
  EngineInput,
  EngineOptions,
  FileId,
  FileSnapshot,
} from './engine.js'

export interface UseUploaderOptions extends EngineOptions {
  /** An engine to drive instead of creating one (tests, or sharing one engine between views). */
  uploader?: Engine
}

export interface UseUploaderReturn {
  /** Engine snapshots, replaced (never mutated) on every engine event. */
  files: Readonly<ShallowRef<readonly FileSnapshot[]>>
  totals: ComputedRef<UploadTotals>
  /** The engine, created on first use so that nothing runs during SSR or before a file exists. */
  getUploader(): Engine
  add(input: EngineInput | readonly EngineInput[], metadata?: Record<string, string>): FileId[]
  start(): void
  pause(id: FileId): void
  resume(id: FileId, opts?: { first?: boolean }): void
  retry(id: FileId, opts?: { first?: boolean }): void
  cancel(id: FileId): Promise<void>
  remove(id: FileId): Promise<void>
  pauseAll(): void
  resumeAll(): void
  cancelAll(): Promise<void>
  /** Changes the upload order of a waiting file. */
  move(id: FileId, index: number): void
  /** Subscribes to an engine event for the lifetime of the current effect scope. */
  on<E extends EngineEventName>(event: E, fn: (payload: EngineEvents[E]) => void): () => void
}

// One totals computation for engine and UI: core's (its 'total-progress' follows the same rules).
export { computeTotals, type UploadTotals }

/**
 * '/files/' → 'https://host/files/'. Upload URLs are resolved against the endpoint, which must be
 * absolute; pages naturally write a same-origin path, so resolve it against the page (read only
 * when the engine is created, never at module load: SSR-safe).
 */
export function absoluteEndpoint(endpoint: string): string {
  const href = (globalThis as { location?: { href?: string } }).location?.href
  if (!endpoint || !href || /^[a-z][a-z0-9+.-]*:/i.test(endpoint)) return endpoint
  try {
    return new URL(endpoint, href).href
  } catch {
    return endpoint
  }
}

/** The options that shape an engine, as a comparable string (functions and stores by identity are skipped). */
function optionsKey(o: EngineOptions): string {
  return JSON.stringify(o, (_k, v) =>
    typeof v === 'function' ||
    (v && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype)
      ? undefined
      : v,
  )
}

const REFRESH_EVENTS: EngineEventName[] = [
  'file-added',
  'state-change',
  'progress',
  'upload-created',
  'completed',
  'failed',
  'canceled',
  'removed',
]

/**
 * Headless uploads: a reactive file list, totals and actions over one @shuttle/core engine.
 *
 * @example
 * const { files, totals, add, pause, resume } = useUploader({ endpoint: '/files/' })
 * add(input.files[0])
 */
export function useUploader(options: UseUploaderOptions | (() => UseUploaderOptions)): UseUploaderReturn {
  let engine: Engine | undefined
  // Lazy: an engine event only marks the list stale; it is rebuilt (O(files)) when read, at most
  // once per render, so 10 000 files' events do not each copy 10 000 snapshots.
  let stale = true
  let cached: readonly FileSnapshot[] = []
  let changed: () => void = () => {}
  const files = customRef<readonly FileSnapshot[]>((track, trigger) => {
    changed = trigger
    return {
      get() {
        track()
        if (stale && engine) {
          cached = [...engine.getFiles()]
          stale = false
        }
        return cached
      },
      set() {},
    }
  }) as unknown as ShallowRef<readonly FileSnapshot[]>
  const totals = computed(() => computeTotals(files.value))
  let disposed = false
  const subscriptions: Array<{ event: EngineEventName; fn: (p: never) => void; off?: () => void }> = []

  const refresh = () => {
    stale = true
    changed()
  }

  const resolveOptions = () => (typeof options === 'function' ? options() : options)
  let engineKey = ''

  function getUploader(): Engine {
    if (engine) return engine
    const { uploader, ...engineOptions } = resolveOptions()
    engineOptions.endpoint = absoluteEndpoint(engineOptions.endpoint)
    engineKey = optionsKey(engineOptions)
    engine = uploader ?? createUploader(engineOptions)
    for (const ev of REFRESH_EVENTS) engine.on(ev, refresh)
    for (const s of subscriptions) s.off = engine.on(s.event, s.fn as never)
    refresh()
    return engine
  }

  /**
   * Engine options are fixed at creation. When reactive options (endpoint, action, data, chunk size…)
   * changed and the current engine has nothing left to finish, the next add() gets a fresh engine,
   * so el-upload's `:data="{ folder }"` / `:action` bindings keep their meaning.
   */
  function renewIfOptionsChanged(): void {
    if (!engine || typeof options !== 'function') return
    const { uploader, ...next } = resolveOptions()
    if (uploader) return
    next.endpoint = absoluteEndpoint(next.endpoint)
    if (optionsKey(next) === engineKey) return
    if (!engine.getFiles().every((f) => f.status === 'completed' || f.status === 'canceled')) return
    const old = engine
    for (const s of subscriptions) s.off?.()
    engine = undefined
    void old.destroy().catch(() => {})
  }

  function on<E extends EngineEventName>(event: E, fn: (payload: EngineEvents[E]) => void): () => void {
    const sub: (typeof subscriptions)[number] = { event, fn: fn as (p: never) => void }
    subscriptions.push(sub)
    if (engine) sub.off = engine.on(event, fn)
    return () => {
      sub.off?.()
      subscriptions.splice(subscriptions.indexOf(sub), 1)
    }
  }

  if (getCurrentScope()) {
    onScopeDispose(() => {
      disposed = true
      for (const s of subscriptions) s.off?.()
      // An injected engine belongs to the caller; one we created is ours to stop.
      const own = engine && !(typeof options === 'function' ? options() : options).uploader
      if (own) void engine?.destroy().catch(() => {})
    })
  }

  const withEngine =
    <A extends unknown[], R>(fn: (e: Engine, ...args: A) => R) =>
    (...args: A): R => {
      if (disposed) throw new Error('useUploader: used after its scope was disposed')
      const r = fn(getUploader(), ...args)
      refresh()
      return r
    }

  return {
    files,
    totals,
    getUploader,
    on,
    add(input: EngineInput | readonly EngineInput[], metadata?: Record<string, string>): FileId[] {
      renewIfOptionsChanged()
      return withEngine((e) => e.add(input, metadata))()
    },
    start: withEngine((e) => e.start()),
    pause: withEngine((e, id: FileId) => e.pause(id)),
    resume: withEngine((e, id: FileId, opts?: { first?: boolean }) => e.resume(id, opts)),
    retry: withEngine((e, id: FileId, opts?: { first?: boolean }) => e.retry(id, opts)),
    cancel: withEngine((e, id: FileId) => e.cancel(id).finally(refresh)),
    remove: withEngine((e, id: FileId) => e.remove(id).finally(refresh)),
    pauseAll: withEngine((e) => e.pauseAll()),
    resumeAll: withEngine((e) => e.resumeAll()),
    cancelAll: withEngine((e) => e.cancelAll().finally(refresh)),
    move: withEngine((e, id: FileId, index: number) => e.move(id, index)),
  }
}
