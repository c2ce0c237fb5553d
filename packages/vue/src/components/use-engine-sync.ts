import { toRaw } from 'vue'
import type { FileSnapshot } from '../engine.js'
import { PHASE_TO_STATUS, type UploadFile } from '../types.js'
import { type UseUploaderOptions, useUploader } from '../use-uploader.js'
import { headersRecord, type ListState, stringRecord, toError, toResponse } from './list-state.js'
import type { UploadProps } from './upload.js'

const isPlainData = (d: UploadProps['data']): d is Record<string, unknown> =>
  typeof d === 'object' && d !== null && !(d instanceof Promise)

import type { Emit } from './hooks.js'

/**
 * The engine behind <ShuttleUpload>: options from props (headers read per request), snapshots
 * folded into the list, and el-upload's progress / success / error / change events.
 */
export function useEngineSync(props: UploadProps & { name: string }, emit: Emit, ls: ListState) {
  const { list, commit, patch, byId } = ls
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
      maxConcurrentUploads: props.maxConcurrentUploads,
      retryDelays: props.retryDelays,
      // Stores and engines are used as they are, never through a reactive proxy.
      checkpointStore: props.checkpointStore && toRaw(props.checkpointStore),
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
    if (props.keepFailed === false) {
      // el-upload's way: the failed file leaves the list (and the engine) before on-error.
      commit(list().filter((x) => x.uid !== f.uid))
      ls.revoke(f.uid)
      void engine.remove(p.id).catch(() => {})
    }
    emit('error', toError(p.error), f, list())
    emit('change', f, list())
  })

  return { engine, sync }
}
