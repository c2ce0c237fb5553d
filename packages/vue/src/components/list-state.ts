import { type Ref, shallowRef, watch } from 'vue'
import type { EngineError } from '../engine.js'
import type { ListType, UploadFile, UploadRawFile, UploadUserFile } from '../types.js'
import type { UploadProps } from './upload.js'
import type { useThumbnails } from './use-thumbnails.js'

let uidSeed = 1
/** uids are unique per page: el-upload's `Date.now() + counter` (exported as genFileId, as el-upload does). */
export const genUid = (): number => Date.now() + uidSeed++

export function headersRecord(
  h: UploadProps['headers'] | Record<string, string | number | null | undefined>,
): Record<string, string> {
  if (!h) return {}
  if (typeof (h as Headers).get === 'function' && typeof (h as Headers).forEach === 'function') {
    const out: Record<string, string> = {}
    ;(h as Headers).forEach((v, k) => {
      out[k] = v
    })
    return out
  }
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h as Record<string, unknown>)) if (v != null) out[k] = String(v)
  return out
}

export function stringRecord(data: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(data)) if (v != null && !(v instanceof Blob)) out[k] = String(v)
  return out
}

export const toError = (e: unknown): Error =>
  e instanceof Error ? e : new Error((e as EngineError | undefined)?.message ?? String(e), { cause: e })

/** A form response body becomes JSON when it parses, as el-upload's ajax does; tus gives `{ url }`. */
export function toResponse(url: string, res?: { status: number; body: string }): unknown {
  if (!res) return { url }
  try {
    return JSON.parse(res.body)
  } catch {
    return res.body
  }
}

export function normalize(f: UploadUserFile): UploadFile {
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

export type ListState = ReturnType<typeof useListState>

/** The file list of one <ShuttleUpload>: immutable entries, looked up by uid, raw file or engine id. */
export function useListState(
  model: Ref<UploadUserFile[]>,
  listType: () => ListType,
  thumbs: ReturnType<typeof useThumbnails>,
) {
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
    [() => model.value, listType],
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

  const byId = (id: string) => list().find((f) => f.id === id)
  return { state, list, commit, find, findByRaw, resolve, patch, byId, revoke: thumbs.revoke }
}
