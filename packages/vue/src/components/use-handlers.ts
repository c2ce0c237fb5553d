import { computed, onScopeDispose, type Ref } from 'vue'
import { filterAccepted } from '../accept.js'
import type { DroppedFile } from '../folder.js'
import type { UploadFile, UploadRawFile, UploadUserFile } from '../types.js'
import { ajaxUpload } from './ajax.js'
import { createCustomRequest, type Requests } from './custom-request.js'
import type { Emit } from './hooks.js'
import { genUid, normalize, stringRecord, toError, useListState } from './list-state.js'
import type { UploadProps } from './upload.js'
import { resolveData, snapshotData } from './upload-data.js'
import { LONG_LIST, useEngineSync } from './use-engine-sync.js'
import { useThumbnails } from './use-thumbnails.js'

export type { Emit }

type Props = UploadProps & { autoUpload: boolean; name: string; method: string }

// Counts before-upload calls across files: a file whose hook resolved with no other file's hook
// started meanwhile takes `data` as the hook left it (async edits included).
let beforeUploadCalls = 0

const ACTIVE = new Set(['queued', 'preparing', 'uploading', 'retrying'])
/** Files whose uploads start in one task when thousands are added at once. */
const START_SLICE = 100
/** Files that join the list in one task when thousands are added at once. */
const ADD_SLICE = 500

/** The logic of <ShuttleUpload> (element-plus's use-handlers), over useUploader's engine. */
export function useHandlers(
  props: Props,
  emit: Emit,
  model: Ref<UploadUserFile[]>,
  disabled: () => boolean = () => !!props.disabled,
) {
  const thumbs = useThumbnails()
  const requests: Requests = new Map()
  const pending = new Set<number>()
  const ls = useListState(model, () => props.listType ?? 'text', thumbs)
  const { state, list, commit, find, resolve, patch } = ls
  const { engine, sync, touch } = useEngineSync(props, emit, ls)
  const postCustom = createCustomRequest(props, emit, ls, requests)
  /** `action` alone: el-upload's own form upload (XHR), not the engine; `endpoint` selects the engine. */
  const requestHandler = () =>
    props.httpRequest ??
    (props.endpoint === undefined && props.protocol === undefined && props.uploader === undefined
      ? ajaxUpload
      : undefined)

  function asRaw(file: File): UploadRawFile {
    const raw = file as UploadRawFile
    if (typeof raw.uid !== 'number') raw.uid = genUid()
    return raw
  }

  function entryFor(file: File): UploadFile {
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
    return url ? { ...entry, url } : entry
  }

  function handleStart(file: File): void {
    const f = entryFor(file)
    commit([...list(), f])
    emit('change', f, list())
  }

  // Thousands of files at once join the list, and start uploading, a slice per task (one commit
  // and one render per slice), so adding 10 000 files never holds the page for long. Each file
  // still gets its own on-change and before-upload, in order.
  const joining: Array<{ file: File; start: boolean }> = []
  const starting: UploadRawFile[] = []
  let sliceScheduled = false
  let disposed = false

  function runSlice(): void {
    sliceScheduled = false
    if (disposed) return
    if (joining.length > 0) {
      const batch = joining.splice(0, ADD_SLICE)
      const entries = batch.map((j) => entryFor(j.file))
      commit([...list(), ...entries])
      for (const f of entries) emit('change', f, list())
      batch.forEach((j, n) => {
        if (j.start) starting.push((entries[n] as UploadFile).raw as UploadRawFile)
      })
    }
    for (const raw of starting.splice(0, START_SLICE)) {
      // Still in the list and not started meanwhile (removed, or submit() called twice).
      const f = find(raw.uid)
      if (f?.status === 'ready' && f.id === undefined && !posted.has(f.uid)) void upload(raw)
    }
    // Each slice in its own task, so the page keeps painting and answering input.
    if (joining.length > 0 || starting.length > 0) scheduleSlice()
  }

  function scheduleSlice(): void {
    if (sliceScheduled) return
    sliceScheduled = true
    setTimeout(runSlice, 0)
  }

  function startMany(files: readonly File[]): void {
    for (const file of files) joining.push({ file, start: !!props.autoUpload })
    // The first slice too: the task that received the files (a drop, a pick) has done its share.
    scheduleSlice()
  }

  /** before-upload or `data` said no: removed as el-upload does (before-remove, then on-remove); nothing sent. */
  function drop(uid: number): Promise<void> | undefined {
    const f = find(uid)
    return f ? handleRemove(f) : undefined
  }

  // Engine ids of files posted in this round of microtasks, by uid: with a long list they go into
  // it in one commit, not one copy of 10 000 entries per file (a slice posts a hundred).
  const posted = new Map<number, string>()
  function flushPosted(): void {
    const changes = new Map<number, Partial<UploadFile>>()
    for (const [uid, id] of posted) changes.set(uid, { id, status: 'uploading', phase: 'queued' })
    const ids = [...posted.values()]
    posted.clear()
    ls.patchMany(changes)
    for (const id of ids) touch(id)
  }

  function postEngine(raw: UploadRawFile, data: Record<string, unknown>): void {
    const meta = stringRecord(data)
    const rel = (raw as DroppedFile).relativePath
    if (rel) meta.relativePath = rel
    try {
      const [id] = engine.add(raw, meta)
      if (id !== undefined && list().length > LONG_LIST) {
        if (posted.size === 0) queueMicrotask(flushPosted)
        posted.set(raw.uid, id)
        return
      }
      patch(raw.uid, { id, status: 'uploading', phase: 'queued' })
      if (id !== undefined) touch(id)
    } catch (e) {
      const f = patch(raw.uid, { status: 'fail', phase: 'failed', error: toError(e) })
      if (f) emit('error', toError(e), f, list())
    }
  }

  /** el-upload's upload(): before-upload (sync or Promise) may veto or replace the file, then post. */
  async function upload(raw: UploadRawFile): Promise<void> {
    if (pending.has(raw.uid) || posted.has(raw.uid)) return
    pending.add(raw.uid)
    try {
      let file = raw
      let data = snapshotData(props.data)
      if (props.beforeUpload) {
        let result: unknown
        try {
          const call = ++beforeUploadCalls
          const hook = props.beforeUpload(raw)
          // The object as the hook's synchronous part left it: the next file's hook cannot change it.
          data = snapshotData(props.data)
          result = await hook
          if (call === beforeUploadCalls) data = snapshotData(props.data)
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
      let fields: Record<string, unknown>
      try {
        fields = await resolveData(data, file)
      } catch {
        return drop(raw.uid)
      }
      if (!find(raw.uid)) return
      const handler = requestHandler()
      if (handler) postCustom(file, fields, handler)
      else postEngine(file, fields)
    } finally {
      pending.delete(raw.uid)
    }
  }

  /** Picked, dropped and pasted files all come here: one accept rule, one limit count. */
  function handleFiles(input: readonly File[]): void {
    if (disabled()) return
    let files = props.strictAccept === false ? [...input] : filterAccepted(input, props.accept).accepted
    if (files.length === 0) return
    // el-upload counts the limit before `multiple` keeps the first file.
    if (props.limit && list().length + joining.length + files.length > props.limit) {
      emit('exceed', files, list())
      return
    }
    if (!props.multiple) files = files.slice(0, 1)
    // Behind files still joining, so the list keeps the order they were added in.
    if (files.length > START_SLICE || joining.length > 0) {
      startMany(files)
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
    if (!f || disabled()) return
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
      const ready = list().filter(
        (f) => f.status === 'ready' && f.raw && f.id === undefined && !posted.has(f.uid),
      )
      for (const j of joining) j.start = true
      if (ready.length <= START_SLICE && starting.length === 0) {
        for (const f of ready) void upload(f.raw as UploadRawFile)
        return
      }
      for (const f of ready) starting.push(f.raw as UploadRawFile)
      runSlice()
    },
    clearFiles(statuses: UploadFile['status'][] = ['ready', 'uploading', 'success', 'fail']): void {
      // Files still joining the list are 'ready' ones.
      if (statuses.includes('ready')) joining.length = 0
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
    // A file the user asks for goes first, ahead of files that were merely waiting.
    resume: withFile((f) => {
      if (f.id === undefined) return
      engine.resume(f.id, { first: true })
      emit('resume', find(f.uid) ?? f)
    }),
    retry: withFile((f) => {
      if (f.id !== undefined) engine.retry(f.id, { first: true })
      else if (f.raw && requestHandler()) void upload(f.raw)
      else return
      emit('retry', find(f.uid) ?? f)
    }),
    async cancel(t: UploadFile): Promise<void> {
      const f = resolve(t)
      if (!f) return
      await stop(f)
      emit('cancel', find(f.uid) ?? f)
    },
    /** Every failed file back in the queue, in list order, each from the offset the server confirmed. */
    retryAll(): void {
      for (const f of list()) {
        if (f.phase !== 'failed') continue
        if (f.id !== undefined) engine.retry(f.id)
        else if (f.raw && requestHandler()) void upload(f.raw)
        else continue
        emit('retry', find(f.uid) ?? f)
      }
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
    let failed = 0
    for (const f of list()) {
      if (f.phase === 'canceled') continue
      count++
      size += f.size ?? 0
      sent += ((f.size ?? 0) * f.percentage) / 100
      speed += ACTIVE.has(f.phase) ? (f.speed ?? 0) : 0
      if (ACTIVE.has(f.phase)) active++
      if (f.status === 'success') done++
      if (f.phase === 'failed') failed++
    }
    const percent = size > 0 ? (sent / size) * 100 : 0
    return {
      size,
      sent,
      speed,
      done,
      count,
      active,
      failed,
      percent,
      eta: speed > 0 ? (size - sent) / speed : null,
    }
  })

  // Custom requests are ours to stop when the component goes; engine uploads stop with the engine.
  onScopeDispose(() => {
    disposed = true
    for (const r of requests.values()) r.abort?.()
    requests.clear()
  })

  return { ...api, handleFiles, totals, engine, files: state }
}
