import { computed, onScopeDispose, type Ref, shallowRef, watch } from 'vue'
import { filterAccepted } from '../accept.js'
import type { EngineError, FileSnapshot } from '../engine.js'
import type { DroppedFile } from '../folder.js'
import { PHASE_TO_STATUS, type UploadFile, type UploadRawFile, type UploadUserFile } from '../types.js'
import { useUploader } from '../use-uploader.js'
import type { UploadEmits, UploadProps } from './upload.js'
import { useThumbnails } from './use-thumbnails.js'

export type Emit = <K extends keyof UploadEmits>(event: K, ...args: UploadEmits[K]) => void
type Props = UploadProps & { autoUpload: boolean; name: string; method: string }

let uidSeed = Date.now()
/** uids are unique per page, like el-upload's `Date.now() + index`. */
export const genUid = (): number => uidSeed++

const ACTIVE = new Set(['queued', 'preparing', 'uploading', 'retrying'])

function headersRecord(h: UploadProps['headers']): Record<string, string> {
  if (!h) return {}
  if (typeof (h as Headers).get === 'function' && typeof (h as Headers).forEach === 'function') {
    const out: Record<string, string> = {}
    ;(h as Headers).forEach((v, k) => {
      out[k] = v
    })
    return out
  }
  return { ...(h as Record<string, string>) }
}

function stringRecord(data: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(data)) if (v != null && !(v instanceof Blob)) out[k] = String(v)
  return out
}

const toError = (e: unknown): Error =>
  e instanceof Error ? e : new Error((e as EngineError | undefined)?.message ?? String(e), { cause: e })

/** A form response body becomes JSON when it parses, as el-upload's ajax does; tus gives `{ url }`. */
function toResponse(url: string, res?: { status: number; body: string }): unknown {
  if (!res) return { url }
  try {
    return JSON.parse(res.body)
  } catch {
    return res.body
  }
}

function normalize(f: UploadUserFile): UploadFile {
  if (f.uid !== undefined && f.status && f.phase && f.percentage !== undefined) return f as UploadFile
  const status = f.status ?? 'success'
  const phase = f.phase ?? (status === 'success' ? 'completed' : status === 'fail' ? 'failed' : 'idle')
  return {
    ...f,
    uid: f.uid ?? genUid(),
    status,
    phase,
    percentage: f.percentage ?? (status === 'success' ? 100 : 0),
  }
}

/** The logic of <ShuttleUpload> (element-plus's use-handlers), over useUploader's engine. */
export function useHandlers(props: Props, emit: Emit, model: Ref<UploadUserFile[]>) {
  const thumbs = useThumbnails()
  const requests = new Map<number, { abort?: () => void }>()
  const pending = new Set<number>()
  // The list lives here and is mirrored to the v-model: a bound model only changes after the
  // parent re-renders, and the handlers must see their own writes at once.
  const state = shallowRef<UploadFile[]>([])
  const list = () => state.value
  const commit = (next: UploadFile[]) => {
    state.value = next
    model.value = next
  }
  const find = (uid: number) => list().find((f) => f.uid === uid)
  const findByRaw = (raw: File) => list().find((f) => f.raw === raw || f.uid === (raw as UploadRawFile).uid)
  const resolve = (t: UploadFile | File) => (t instanceof File ? findByRaw(t) : find(t.uid))

  function patch(uid: number, change: Partial<UploadFile>): UploadFile | undefined {
    const cur = find(uid)
    if (!cur) return undefined
    const out = { ...cur, ...change }
    commit(list().map((f) => (f.uid === uid ? out : f)))
    return out
  }

  // Caller-supplied lists (already uploaded files) get uids and statuses; thumbnails follow list-type.
  let lastListType: string | undefined
  watch(
    [() => model.value, () => props.listType ?? 'text'],
    ([value, listType]) => {
      if (value === state.value && listType === lastListType) return
      lastListType = listType
      let changed = false
      const next = (value ?? []).map((u) => {
        let f = normalize(u)
        const url = thumbs.thumbnailFor(f, listType)
        if (url !== f.url) f = { ...f, url }
        if (f !== u) changed = true
        return f
      })
      state.value = next
      if (changed) commit(next)
    },
    { immediate: true },
  )

  const engine = useUploader(() => {
    const opts: Record<string, unknown> = {
      endpoint: props.endpoint ?? props.action ?? '',
      protocol: props.protocol ?? (props.endpoint ? 'tus' : 'form'),
      headers: () => headersRecord(props.headers),
      fieldName: props.name,
      withCredentials: !!props.withCredentials,
      data: typeof props.data === 'object' ? stringRecord(props.data) : undefined,
      autoStart: true,
      uploader: props.uploader,
      chunkSize: props.chunkSize,
      parallelUploads: props.parallelUploads,
      maxConcurrentUploads: props.maxConcurrentUploads,
      retryDelays: props.retryDelays,
      checkpointStore: props.checkpointStore,
    }
    for (const k of Object.keys(opts)) if (opts[k] === undefined) delete opts[k]
    return opts as never
  })

  function fromSnapshot(f: UploadFile, s: FileSnapshot): UploadFile {
    if (
      f.phase === s.status &&
      f.percentage === s.percent &&
      f.bytesConfirmed === s.bytesConfirmed &&
      f.speed === s.speed &&
      f.eta === s.eta &&
      f.error === s.error &&
      (s.url === undefined || f.uploadUrl === s.url)
    )
      return f
    return {
      ...f,
      phase: s.status,
      status: PHASE_TO_STATUS[s.status],
      percentage: s.percent,
      bytesConfirmed: s.bytesConfirmed,
      speed: s.speed,
      eta: s.eta,
      uploadUrl: s.url ?? f.uploadUrl,
      error: s.error,
    }
  }

  /** Folds engine snapshots into the list; entries are replaced only when something changed. */
  function sync(): UploadFile[] {
    const snaps = new Map(engine.files.value.map((s) => [s.id, s]))
    let changed = false
    const next = list().map((f) => {
      const s = f.id === undefined ? undefined : snaps.get(f.id)
      const nf = s ? fromSnapshot(f, s) : f
      if (nf !== f) changed = true
      return nf
    })
    if (changed) commit(next)
    return list()
  }
  const byId = (id: string) => list().find((f) => f.id === id)

  for (const ev of ['file-added', 'state-change', 'upload-created', 'canceled', 'removed'] as const)
    engine.on(ev, sync)
  engine.on('progress', (p) => {
    sync()
    const f = byId(p.id)
    if (f) {
      const evt = {
        percent: f.percentage,
        loaded: p.bytesSent,
        total: p.bytesTotal,
        speed: p.speed,
        eta: p.eta,
      }
      emit('progress', evt, f, list())
    }
  })
  engine.on('completed', (p) => {
    sync()
    const cur = byId(p.id)
    if (!cur) return
    const f = patch(cur.uid, { response: toResponse(p.url, p.response), uploadUrl: p.url }) ?? cur
    emit('success', f.response, f, list())
    emit('change', f, list())
  })
  engine.on('failed', (p) => {
    sync()
    const f = byId(p.id)
    if (!f) return
    emit('error', toError(p.error), f, list())
    emit('change', f, list())
  })

  function asRaw(file: File): UploadRawFile {
    const raw = file as UploadRawFile
    if (typeof raw.uid !== 'number') raw.uid = genUid()
    return raw
  }

  function handleStart(file: File): void {
    const raw = asRaw(file)
    const entry = normalize({
      name: raw.name,
      size: raw.size,
      status: 'ready',
      phase: 'idle',
      uid: raw.uid,
      raw,
    })
    const url = thumbs.thumbnailFor(entry, props.listType ?? 'text')
    const f = url ? { ...entry, url } : entry
    commit([...list(), f])
    emit('change', f, list())
  }

  /** before-upload dropped the file: out of the list, `remove` emitted, nothing sent. */
  function drop(uid: number) {
    const f = find(uid)
    if (!f) return
    commit(list().filter((x) => x.uid !== uid))
    thumbs.revoke(uid)
    emit('remove', f, list())
  }

  function postCustom(raw: UploadRawFile, data: Record<string, unknown>): void {
    const uid = raw.uid
    let settled = false
    const finish = () => {
      const was = settled
      settled = true
      requests.delete(uid)
      return !was
    }
    const opts = {
      action: props.action ?? props.endpoint ?? '',
      method: props.method,
      data: data as Record<string, string>,
      filename: props.name,
      file: raw,
      headers: props.headers ?? {},
      withCredentials: !!props.withCredentials,
      onProgress: (evt: { percent: number; loaded?: number; total?: number }) => {
        if (settled) return
        const f = patch(uid, { status: 'uploading', phase: 'uploading', percentage: evt.percent || 0 })
        if (f) emit('progress', { loaded: 0, total: raw.size, ...evt }, f, list())
      },
      onSuccess: (response: unknown) => {
        if (!finish()) return
        const f = patch(uid, { status: 'success', phase: 'completed', percentage: 100, response })
        if (f) emit('success', response, f, list())
        if (f) emit('change', f, list())
      },
      onError: (err: unknown) => {
        if (!finish()) return
        const f = patch(uid, { status: 'fail', phase: 'failed', error: toError(err) })
        if (f) emit('error', toError(err), f, list())
        if (f) emit('change', f, list())
      },
    }
    patch(uid, { status: 'uploading', phase: 'uploading', error: undefined })
    let req: unknown
    try {
      req = props.httpRequest?.(opts)
    } catch (e) {
      opts.onError(e)
      return
    }
    if (!settled) requests.set(uid, (req as { abort?: () => void }) ?? {})
    if (req && typeof (req as Promise<unknown>).then === 'function') {
      ;(req as Promise<unknown>).then(opts.onSuccess, opts.onError)
    }
  }

  function postEngine(raw: UploadRawFile, data: Record<string, unknown>): void {
    const meta = stringRecord(data)
    const rel = (raw as DroppedFile).relativePath
    if (rel) meta.relativePath = rel
    try {
      const [id] = engine.add(raw, meta)
      patch(raw.uid, { id, status: 'uploading', phase: 'queued' })
      sync()
    } catch (e) {
      const f = patch(raw.uid, { status: 'fail', phase: 'failed', error: toError(e) })
      if (f) emit('error', toError(e), f, list())
    }
  }

  /** el-upload's upload(): before-upload (sync or Promise) may veto or replace the file, then post. */
  async function upload(raw: UploadRawFile): Promise<void> {
    if (pending.has(raw.uid)) return
    pending.add(raw.uid)
    try {
      let file = raw
      if (props.beforeUpload) {
        let result: unknown
        try {
          result = await props.beforeUpload(raw)
        } catch {
          return drop(raw.uid)
        }
        if (result === false) return drop(raw.uid)
        if (result instanceof Blob) {
          const f = result instanceof File ? result : new File([result], raw.name, { type: raw.type })
          file = Object.assign(f, { uid: raw.uid }) as UploadRawFile
          const rel = (raw as DroppedFile).relativePath
          if (rel) Object.defineProperty(file, 'relativePath', { value: rel, configurable: true })
          patch(raw.uid, { raw: file, name: file.name, size: file.size })
        }
      }
      if (!find(raw.uid)) return // removed while before-upload ran
      const data = typeof props.data === 'function' ? await props.data(file) : (props.data ?? {})
      if (!find(raw.uid)) return
      if (props.httpRequest) postCustom(file, data)
      else postEngine(file, data)
    } finally {
      pending.delete(raw.uid)
    }
  }

  /** Picked, dropped and pasted files all come here: one accept rule, one limit count. */
  function handleFiles(input: readonly File[]): void {
    if (props.disabled) return
    let files = filterAccepted(input, props.accept).accepted
    if (!props.multiple) files = files.slice(0, 1)
    if (files.length === 0) return
    if (props.limit !== undefined && list().length + files.length > props.limit) {
      emit('exceed', files, list())
      return
    }
    for (const file of files) {
      handleStart(file)
      if (props.autoUpload) void upload(asRaw(file))
    }
  }

  async function stop(f: UploadFile): Promise<void> {
    const req = requests.get(f.uid)
    if (req) {
      requests.delete(f.uid)
      req.abort?.()
      patch(f.uid, { status: 'fail', phase: 'canceled' })
    } else if (f.id !== undefined && (ACTIVE.has(f.phase) || f.phase === 'paused' || f.phase === 'failed')) {
      await engine.cancel(f.id).catch(() => {})
      sync()
    }
  }

  async function doRemove(f: UploadFile): Promise<void> {
    requests.get(f.uid)?.abort?.()
    requests.delete(f.uid)
    commit(list().filter((x) => x.uid !== f.uid))
    thumbs.revoke(f.uid)
    emit('remove', f, list())
    if (f.id !== undefined) await engine.remove(f.id).catch(() => {})
  }

  async function handleRemove(target: UploadFile | File): Promise<void> {
    const f = resolve(target)
    if (!f || props.disabled) return
    if (props.beforeRemove) {
      try {
        if ((await props.beforeRemove(f, list())) === false) return
      } catch {
        return
      }
    }
    await doRemove(find(f.uid) ?? f)
  }

  const withFile = (fn: (f: UploadFile) => void) => (t: UploadFile) => {
    const f = resolve(t)
    if (f) fn(f)
  }

  const api = {
    submit(): void {
      for (const f of list()) if (f.status === 'ready' && f.raw && f.id === undefined) void upload(f.raw)
    },
    clearFiles(statuses: UploadFile['status'][] = ['ready', 'uploading', 'success', 'fail']): void {
      const gone = list().filter((f) => statuses.includes(f.status))
      commit(list().filter((f) => !statuses.includes(f.status)))
      for (const f of gone) {
        requests.get(f.uid)?.abort?.()
        requests.delete(f.uid)
        thumbs.revoke(f.uid)
        if (f.id !== undefined) void engine.remove(f.id).catch(() => {})
      }
    },
    /** el-upload's abort: stops the request(s); here the partial upload is also deleted on the server. */
    abort(target?: UploadFile | File): void {
      const files = target ? [resolve(target)] : list()
      for (const f of files) if (f) void stop(f)
    },
    handleStart,
    handleRemove,
    pause: withFile((f) => {
      if (f.id === undefined) return
      engine.pause(f.id)
      emit('pause', find(f.uid) ?? f)
    }),
    resume: withFile((f) => {
      if (f.id === undefined) return
      engine.resume(f.id)
      emit('resume', find(f.uid) ?? f)
    }),
    retry: withFile((f) => {
      if (f.id !== undefined) engine.retry(f.id)
      else if (f.raw && props.httpRequest) void upload(f.raw)
      else return
      emit('retry', find(f.uid) ?? f)
    }),
    async cancel(t: UploadFile): Promise<void> {
      const f = resolve(t)
      if (!f) return
      await stop(f)
      emit('cancel', find(f.uid) ?? f)
    },
    pauseAll: () => engine.pauseAll(),
    resumeAll: () => engine.resumeAll(),
  }

  const totals = computed(() => {
    let size = 0
    let sent = 0
    let speed = 0
    let done = 0
    let count = 0
    let active = 0
    for (const f of list()) {
      if (f.phase === 'canceled') continue
      count++
      size += f.size ?? 0
      sent += ((f.size ?? 0) * f.percentage) / 100
      speed += ACTIVE.has(f.phase) ? (f.speed ?? 0) : 0
      if (ACTIVE.has(f.phase)) active++
      if (f.status === 'success') done++
    }
    const percent = size > 0 ? (sent / size) * 100 : 0
    return { size, sent, speed, done, count, active, percent, eta: speed > 0 ? (size - sent) / speed : null }
  })

  // Custom requests are ours to stop when the component goes; engine uploads stop with the engine.
  onScopeDispose(() => {
    for (const r of requests.values()) r.abort?.()
    requests.clear()
  })

  return { ...api, handleFiles, totals, engine, files: state }
}
