import { onScopeDispose } from 'vue'
import type { ListType, UploadFile } from '../types.js'

/**
 * Object URLs for image thumbnails. Only URLs created here are revoked (a caller's `url` is theirs),
 * on remove and when the component unmounts, so a long session does not leak blobs.
 */
export function useThumbnails() {
  const created = new Map<number, string>()

  function thumbnailFor(file: UploadFile, listType: ListType): string | undefined {
    if (file.url || listType === 'text' || !file.raw || !file.raw.type.startsWith('image/')) return file.url
    const g = globalThis as { URL?: { createObjectURL?(b: Blob): string } }
    if (!g.URL?.createObjectURL) return undefined
    const url = g.URL.createObjectURL(file.raw)
    created.set(file.uid, url)
    return url
  }

  function revoke(uid: number): void {
    const url = created.get(uid)
    if (url === undefined) return
    created.delete(uid)
    ;(globalThis as { URL?: { revokeObjectURL?(u: string): void } }).URL?.revokeObjectURL?.(url)
  }

  function revokeAll(): void {
    for (const uid of [...created.keys()]) revoke(uid)
  }

  onScopeDispose(revokeAll)
  return { thumbnailFor, revoke, revokeAll }
}
