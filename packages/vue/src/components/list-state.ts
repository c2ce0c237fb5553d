import { type Ref, shallowRef, toRaw, watch } from 'vue'
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
  // Positions by uid and uids by engine id, for the array they were built from: lookups stay O(1)
  // with 10 000 files (rebuilt once after a change of membership, kept by in-place patches).
  let indexed: UploadFile[] | undefined
  const at = new Map<number, number>()
  const uidOfId = new Map<string, number>()
  function index(): void {
    const l = list()
    if (indexed === l) return
    at.clear()
    uidOfId.clear()
    l.forEach((f, i) => {
      at.set(f.uid, i)
      if (f.id !== undefined) uidOfId.set(f.id, f.uid)
    })
    indexed = l
  }
  const find = (uid: number) => {
    index()
    const i = at.get(uid)
    return i === undefined ? undefined : list()[i]
  }
  const findByRaw = (raw: File) =>
    (typeof (raw as UploadRawFile).uid === 'number' ? find((raw as UploadRawFile).uid) : undefined) ??
    list().find((f) => f.raw === raw)
  const resolve = (t: UploadFile | File) => (t instanceof File ? findByRaw(t) : find(t.uid))

  /** Replaces entries in one new array (one commit for many changes). */
  function patchMany(changes: ReadonlyMap<number, Partial<UploadFile> | UploadFile>): void {
    index()
    const next = list().slice()
    let changed = false
    for (const [uid, change] of changes) {
      const i = at.get(uid)
      if (i === undefined) continue
      const cur = next[i] as UploadFile
      // A whole entry (uid included) is taken as it is, so hooks and the list share one object.
      next[i] = (change as UploadFile).uid === uid ? (change as UploadFile) : { ...cur, ...change }
      if (next[i] !== cur) changed = true
      const id = (next[i] as UploadFile).id
      if (id !== undefined) uidOfId.set(id, uid)
    }
    if (!changed) return
    commit(next)
    indexed = next // same positions: the index stays valid
  }

  function patch(uid: number, change: Partial<UploadFile>): UploadFile | undefined {
    if (!find(uid)) return undefined
    patchMany(new Map([[uid, change]]))
    return find(uid)
  }

  // Caller-supplied lists (already uploaded files) get uids and statuses; thumbnails follow list-type.
  let lastListType: string | undefined
  watch(
    [() => model.value, listType],
    ([model, listType]) => {
      // A parent's ref([]) hands back a reactive proxy of our own array: compare (and read) the
      // raw one, or every commit would re-normalize the whole list through proxies.
      const value = model && toRaw(model)
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

  const byId = (id: string) => {
    index()
    const uid = uidOfId.get(id)
    const f = uid === undefined ? undefined : find(uid)
    return f?.id === id ? f : undefined
  }
  return { state, list, commit, find, findByRaw, resolve, patch, patchMany, byId, revoke: thumbs.revoke }
}
