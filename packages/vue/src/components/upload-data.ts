import { isReactive, toRaw } from 'vue'
import type { UploadData, UploadRawFile } from '../types.js'

const isPlain = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null) return false
  const proto = Object.getPrototypeOf(v)
  return proto === Object.prototype || proto === null
}

/** A deep copy of plain objects and arrays; Blobs and other values are kept as they are. */
function copy<T>(v: T): T {
  const raw = isReactive(v) ? toRaw(v) : v
  if (Array.isArray(raw)) return raw.map(copy) as T
  if (isPlain(raw)) {
    const out: Record<string, unknown> = {}
    for (const [k, x] of Object.entries(raw)) out[k] = copy(x)
    return out as T
  }
  return raw
}

/** What a file's request will use: an object is copied now (later edits do not reach this file). */
export const snapshotData = (data: UploadData | undefined): UploadData | undefined =>
  isPlain(isReactive(data) ? toRaw(data) : data) ? copy(data) : data

/** The fields of one request: a function is called with the file, a Promise awaited; rejects as they do. */
export async function resolveData(
  data: UploadData | undefined,
  file: UploadRawFile,
): Promise<Record<string, unknown>> {
  const v = typeof data === 'function' ? await data(file) : await data
  return v ?? {}
}
