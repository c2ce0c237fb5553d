import type { UploadRawFile, UploadRequestHandler } from '../types.js'
import type { Emit } from './hooks.js'
import { type ListState, toError } from './list-state.js'
import type { UploadProps } from './upload.js'

export type Requests = Map<number, { abort?: () => void }>

/**
 * el-upload's `http-request` path: the caller's function moves the bytes and reports through
 * onProgress / onSuccess / onError (or a returned promise); what it returns is kept for abort().
 */
export function createCustomRequest(
  props: UploadProps & { name: string; method: string },
  emit: Emit,
  ls: ListState,
  requests: Requests,
) {
  const { list, patch } = ls
  /** keep-failed false: a failed file leaves the list before on-error, as in el-upload. */
  const dropFailed = (uid: number) => {
    if (props.keepFailed !== false) return
    ls.commit(list().filter((f) => f.uid !== uid))
    ls.revoke(uid)
  }
  return function postCustom(
    raw: UploadRawFile,
    data: Record<string, unknown>,
    handler: UploadRequestHandler,
  ): void {
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
      // el-upload's custom requests may call onProgress() with no event at all.
      onProgress: (evt?: { percent: number; loaded?: number; total?: number }) => {
        if (settled) return
        const percentage = Math.round(Math.min(100, Math.max(0, Number(evt?.percent) || 0)))
        const f = patch(uid, { status: 'uploading', phase: 'uploading', percentage })
        if (f) emit('progress', { loaded: 0, total: raw.size, percent: 0, ...evt }, f, list())
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
        if (!f) return
        dropFailed(uid)
        emit('error', toError(err), f, list())
        emit('change', f, list())
      },
    }
    patch(uid, { status: 'uploading', phase: 'uploading', error: undefined })
    let req: unknown
    try {
      req = handler(opts)
    } catch (e) {
      opts.onError(e)
      return
    }
    if (!settled) requests.set(uid, (req as { abort?: () => void }) ?? {})
    if (req && typeof (req as Promise<unknown>).then === 'function') {
      ;(req as Promise<unknown>).then(opts.onSuccess, opts.onError)
    }
  }
}
