import type { RestoredFile } from '@shuttle/core'
import { onBeforeUnmount, onMounted, shallowRef } from 'vue'
import type { Engine } from '../engine.js'

export interface RestoreRow extends RestoredFile {
  /** The permission prompt was refused: the row now asks for a pick, like a ghost. */
  denied?: boolean
}

/**
 * <ShuttleUpload restore>: on mount, the engine's restoreSession(). Files whose bytes came back go
 * through `add` (the component's own path: accept, limit, before-upload); handles waiting for
 * permission and ghosts stay as rows until the engine says they are back ('restored').
 */
export function useRestore(enabled: () => boolean, engine: () => Engine, add: (files: File[]) => void) {
  const rows = shallowRef<RestoreRow[]>([])
  let off: (() => void) | undefined
  const drop = (fingerprint: string) => {
    rows.value = rows.value.filter((r) => r.fingerprint !== fingerprint)
  }
  onMounted(async () => {
    if (!enabled()) return
    const e = engine()
    off = e.on('restored', ({ fingerprint }) => drop(fingerprint))
    let restored: RestoredFile[]
    try {
      restored = await e.restoreSession({ add: false })
    } catch {
      return // no storage to read: nothing to bring back
    }
    // One click each first, then the ones a pick brings back; by name within each.
    const order = (r: RestoredFile) => (r.kind === 'access' ? 0 : 1)
    rows.value = restored
      .filter((r) => r.kind !== 'ready')
      .sort((a, b) => order(a) - order(b) || a.name.localeCompare(b.name))
    const ready = restored.flatMap((r) => (r.input instanceof File ? [r.input] : []))
    if (ready.length) add(ready)
  })
  onBeforeUnmount(() => off?.())

  /** One click: the browser's permission prompt for a kept handle, then the file continues. */
  async function allow(row: RestoreRow): Promise<void> {
    const got = await engine()
      .requestAccess(row.fingerprint, { add: false })
      .catch(() => undefined)
    if (got?.input instanceof File) add([got.input])
    else rows.value = rows.value.map((r) => (r === row ? { ...r, denied: true } : r))
  }

  return { rows, allow }
}
