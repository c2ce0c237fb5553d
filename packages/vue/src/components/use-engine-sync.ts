import { createBrowserFileKeeper, type FileKeeper } from '@shuttle/core'
import { toRaw } from 'vue'
import type { FileSnapshot } from '../engine.js'
import { PHASE_TO_STATUS, type UploadFile } from '../types.js'
import { type UseUploaderOptions, useUploader } from '../use-uploader.js'
import { headersRecord, type ListState, stringRecord, toError, toResponse } from './list-state.js'
import type { UploadProps } from './upload.js'

/** Lists longer than this take engine changes once per animation frame (see useEngineSync). */
export const LONG_LIST = 200

const isPlainData = (d: UploadProps['data']): d is Record<string, unknown> =>
  typeof d === 'object' && d !== null && !(d instanceof Promise)

import type { Emit } from './hooks.js'

/**
 * The engine behind <ShuttleUpload>: options from props (headers read per request), snapshots
 * folded into the list, and el-upload's progress / success / error / change events.
 */
export function useEngineSync(props: UploadProps & { name: string }, emit: Emit, ls: ListState) {
  const { list, commit, byId } = ls
  // One keeper for the component's life: `restore` keeps files for the next session.
  let keeper: FileKeeper | undefined
  const fileKeeper = () => {
    if (props.fileKeeper) return toRaw(props.fileKeeper)
    if (!props.restore) return undefined
    keeper ??= createBrowserFileKeeper()
    return keeper
  }
  const engine = useUploader((): UseUploaderOptions => {
    const opts: UseUploaderOptions = {
      endpoint: props.endpoint ?? props.action ?? '',
      protocol: props.protocol ?? (props.endpoint ? 'tus' : 'form'),
      s3: props.s3 && toRaw(props.s3),
      headers: () => headersRecord(props.headers),
      fieldName: props.name,
      withCredentials: !!props.withCredentials,
      data: isPlainData(props.data) ? stringRecord(props.data) : undefined,
      autoStart: true,
      uploader: props.uploader && toRaw(props.uploader),
      chunkSize: props.chunkSize,
      creationWithUpload: props.creationWithUpload,
      parallelUploads: props.parallelUploads,
      identity: props.identity,
      maxConcurrentUploads: props.maxConcurrentUploads,
      retryDelays: props.retryDelays,
      // Stores and engines are used as they are, never through a reactive proxy.
      checkpointStore: props.checkpointStore && toRaw(props.checkpointStore),
      fileKeeper: fileKeeper(),
    }
    // Unset props stay unset, so core applies its defaults and the options key ignores them.
    for (const k of Object.keys(opts) as (keyof UseUploaderOptions)[])
      if (opts[k] === undefined) delete opts[k]
    return opts
  })

  function fromSnapshot(f: UploadFile, s: FileSnapshot): UploadFile {
    if (
      f.phase === s.status &&
      f.percentage === s.percent &&
      f.bytesConfirmed === s.bytesConfirmed &&
      f.speed === s.speed &&
      f.eta === s.eta &&
      f.error === s.error &&
      f.waitingFor === s.waitingFor &&
      f.alreadyUploaded === s.alreadyUploaded &&
      f.hashing === s.hashing &&
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
      waitingFor: s.waitingFor,
      alreadyUploaded: s.alreadyUploaded,
      hashing: s.hashing,
    }
  }

  // Engine events change one file each. Their new entries wait in `pending` and reach the list in
  // one commit: at once for a short list, once per animation frame for a long one, so 10 000
  // files do not cost 10 000 list copies and renders per second.
  const pending = new Map<string, UploadFile>()
  let scheduled = false

  const current = (id: string) => pending.get(id) ?? byId(id)

  /** The entry for engine file `id` with its latest snapshot folded in (not committed yet). */
  function refreshed(id: string): UploadFile | undefined {
    const f = current(id)
    const s = f && engine.getUploader().getFile(id)
    if (!f || !s) return f
    const nf = fromSnapshot(f, s)
    if (nf !== f || pending.has(id)) pending.set(id, nf)
    return nf
  }

  /** Commits every pending entry at once. */
  function flush(): void {
    scheduled = false
    if (pending.size === 0) return
    const changes = new Map<number, UploadFile>()
    for (const f of pending.values()) changes.set(f.uid, f)
    pending.clear()
    ls.patchMany(changes)
  }

  function schedule(): void {
    if (list().length <= LONG_LIST) {
      flush()
      return
    }
    if (scheduled) return
    scheduled = true
    const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => unknown }).requestAnimationFrame
    if (raf) raf(flush)
    else setTimeout(flush, 16)
  }

  function touch(id: string): void {
    refreshed(id)
    schedule()
  }

  /** Folds every engine snapshot into the list now (after the user's own actions). */
  function sync(): UploadFile[] {
    for (const f of list()) if (f.id !== undefined) refreshed(f.id)
    flush()
    return list()
  }

  for (const ev of ['file-added', 'state-change', 'upload-created', 'canceled', 'removed'] as const)
    engine.on(ev, (p: { id?: string; file?: { id: string } }) => {
      const id = p.id ?? p.file?.id
      if (id !== undefined) touch(id)
    })
  engine.on('progress', (p) => {
    const f = refreshed(p.id)
    schedule()
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
    const cur = refreshed(p.id)
    if (!cur) return
    const f = { ...cur, response: toResponse(p.url, p.response), uploadUrl: p.url }
    pending.set(p.id, f)
    schedule()
    emit('success', f.response, f, list())
    emit('change', f, list())
  })
  engine.on('failed', (p) => {
    const f = refreshed(p.id)
    flush()
    if (!f) return
    if (props.keepFailed === false) {
      // el-upload's way: the failed file leaves the list (and the engine) before on-error.
      commit(list().filter((x) => x.uid !== f.uid))
      ls.revoke(f.uid)
      void engine.remove(p.id).catch(() => {})
    }
    emit('error', toError(p.error), f, list())
    emit('change', f, list())
  })

  return { engine, sync, touch }
}
