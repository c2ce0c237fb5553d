import { attachFileHandle } from '@shuttle/core'

// Folder drop: DataTransfer.files lists a dropped folder as one unreadable entry, so directories
// are walked through webkitGetAsEntry (all Chromium/Firefox/Safari) or getAsFileSystemHandle.

/** Drops of more files than this keep no handles (see filesFromDataTransfer). */
const MAX_HANDLE_DROP = 1000

interface EntryLike {
  isFile: boolean
  isDirectory: boolean
  name: string
  fullPath?: string
  file?(ok: (f: File) => void, fail: (e: unknown) => void): void
  createReader?(): { readEntries(ok: (e: EntryLike[]) => void, fail: (e: unknown) => void): void }
}

interface HandleLike {
  kind: 'file' | 'directory'
  name: string
  getFile?(): Promise<File>
  values?(): AsyncIterable<HandleLike>
}

type ItemLike = DataTransferItem & {
  webkitGetAsEntry?(): EntryLike | null
  getAsFileSystemHandle?(): Promise<HandleLike | null>
}

/** A file found inside a dropped folder keeps its relative path (as `webkitRelativePath` would). */
export type DroppedFile = File & { relativePath?: string }

function withPath(file: File, path: string): DroppedFile {
  const f = file as DroppedFile
  try {
    Object.defineProperty(f, 'relativePath', { value: path, configurable: true })
  } catch {
    // A frozen File keeps no path; the upload itself is unaffected.
  }
  return f
}

async function walkEntry(entry: EntryLike, out: DroppedFile[], prefix: string): Promise<void> {
  if (entry.isFile && entry.file) {
    const file = await new Promise<File>((ok, fail) => entry.file?.(ok, fail))
    out.push(prefix ? withPath(file, `${prefix}${entry.name}`) : file)
    return
  }
  if (!entry.isDirectory || !entry.createReader) return
  const reader = entry.createReader()
  // readEntries returns at most 100 entries per call (Chromium); call until empty.
  for (;;) {
    const batch = await new Promise<EntryLike[]>((ok, fail) => reader.readEntries(ok, fail))
    if (batch.length === 0) break
    for (const child of batch) await walkEntry(child, out, `${prefix}${entry.name}/`)
  }
}

async function walkHandle(handle: HandleLike, out: DroppedFile[], prefix: string): Promise<void> {
  if (handle.kind === 'file' && handle.getFile) {
    const file = await handle.getFile()
    out.push(prefix ? withPath(file, `${prefix}${handle.name}`) : file)
    return
  }
  if (handle.kind === 'directory' && handle.values) {
    for await (const child of handle.values()) await walkHandle(child, out, `${prefix}${handle.name}/`)
  }
}

/**
 * Every file of a drop, folders walked recursively. Entries must be taken synchronously in the
 * drop handler (the DataTransfer is emptied afterwards), which is why this reads them first.
 */
export async function filesFromDataTransfer(
  dt: DataTransfer | null | undefined,
  options: { handles?: boolean } = {},
): Promise<DroppedFile[]> {
  if (!dt) return []
  // Read everything synchronously: after the first await a real drop's DataTransfer is emptied.
  const plain = Array.from(dt.files ?? [])
  const items = dt.items ? (Array.from(dt.items) as ItemLike[]).filter((i) => i.kind === 'file') : []
  const entries = items.map((i) => i.webkitGetAsEntry?.() ?? null)
  const itemFiles = items.map((i) => i.getAsFile())
  // `handles`: each dropped file keeps its File System Access handle (Chromium), so a file keeper
  // can bring it back after a browser restart. Asked now (the items are gone after an await), but
  // not waited for: each is one trip to the browser process, and the keeper needs a handle only a
  // second into the upload. Huge drops ask for none (10 000 trips slow the page down).
  const handled =
    options.handles && items.length <= MAX_HANDLE_DROP
      ? items.map((i) => i.getAsFileSystemHandle?.()?.catch(() => null) ?? null)
      : []
  const hasDir = entries.some((e) => e?.isDirectory)
  if (hasDir) {
    const out: DroppedFile[] = []
    for (const [idx, entry] of entries.entries()) {
      if (entry) await walkEntry(entry, out, '')
      else {
        const f = itemFiles[idx]
        if (f) out.push(f)
      }
    }
    return out
  }
  // No entries (a browser without webkitGetAsEntry, or a DataTransfer built by a script): only a
  // handle tells a folder apart. A folder's File has no type, so typed files are not asked: 10 000
  // of them would cost 10 000 trips and block the page for the length of the drop.
  const untyped = items.filter((i, n) => !itemFiles[n]?.type && i.getAsFileSystemHandle)
  if (untyped.length > 0 && !entries.some(Boolean)) {
    const asked = new Map(untyped.map((i) => [i, i.getAsFileSystemHandle?.()?.catch(() => null) ?? null]))
    const handles = new Map<ItemLike, HandleLike | null>()
    for (const [i, p] of asked) handles.set(i, await p)
    if ([...handles.values()].some((h) => h?.kind === 'directory')) {
      const out: DroppedFile[] = []
      for (const [n, item] of items.entries()) {
        const h = handles.get(item)
        const f = itemFiles[n]
        if (h) await walkHandle(h, out, '')
        else if (f) out.push(f)
      }
      return out
    }
  }
  if (handled.some(Boolean) && itemFiles.every(Boolean) && itemFiles.length === plain.length) {
    const files = itemFiles as File[]
    handled.forEach((p, i) => {
      void p?.then((h) => {
        if (h?.kind === 'file') attachFileHandle(files[i] as File, h as unknown as FileSystemFileHandle)
      })
    })
    return files
  }
  return plain
}
