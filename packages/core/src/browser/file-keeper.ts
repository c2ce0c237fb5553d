import type { FileKeeper, KeptFile, SourceInfo } from '../ports.js'
import { attachFileHandle, fileHandleOf, type PermissionedHandle } from './file-handles.js'

/**
 * 10 MiB: copying a file into the Origin Private File System costs its size in disk quota and one
 * local write while it uploads. Small files (photos, documents) are worth it; a video is not, and
 * comes back as a ghost the user picks again (or as a handle where the browser has them).
 */
export const DEFAULT_SMALL_FILE_LIMIT = 10 * 1024 * 1024

export interface BrowserFileKeeperOptions {
  /** Files up to this many bytes picked without a handle are copied into OPFS. 0: never copy. */
  smallFileLimit?: number
  /** The IndexedDB database of the kept entries. Default 'shuttle-files'. */
  dbName?: string
  /** The OPFS directory the copies live in. Default 'shuttle-kept'. */
  directory?: string
  indexedDB?: IDBFactory
  /** How long an upload runs before its file is kept (FileKeeper.keepAfterMs). Default 1000 ms. */
  keepAfterMs?: number
}

/** What is stored per file: its description and, for handles, the handle itself (structured-cloned). */
interface Entry extends KeptFile {
  handle?: FileSystemFileHandle
  copy?: string
}

const STORE = 'files'

const wrap = <T>(req: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () => reject(req.error)
  })

function blobOf(input: unknown): Blob | undefined {
  if (typeof Blob !== 'undefined' && input instanceof Blob) return input
  const o = input as { blob?: unknown } | null
  return typeof Blob !== 'undefined' && o?.blob instanceof Blob ? o.blob : undefined
}

/** An OPFS-safe name for a fingerprint (fingerprints hold URLs, so slashes). */
async function copyName(fingerprint: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(fingerprint))
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * Keeps what a browser allows of each unfinished upload's file, so a reload or a browser restart
 * resumes it without the user picking it again:
 * - a File System Access handle, when the file came with one (attachFileHandle; Chromium's
 *   showOpenFilePicker and drops). Read permission is asked again with one click after a restart.
 * - otherwise, files up to `smallFileLimit` are copied into the Origin Private File System
 *   (Chromium, Firefox, Safari 26+ with createWritable); the copy goes when the upload completes or
 *   is canceled.
 * - otherwise a ghost: name, size, type and lastModified, which one pick of the same file matches.
 * Without IndexedDB (some private modes) it keeps nothing and every file comes back as a ghost from
 * its checkpoint.
 *
 * @example
 * const uploader = createUploader({ endpoint, fileKeeper: createBrowserFileKeeper() })
 * const restored = await uploader.restoreSession()
 */
export function createBrowserFileKeeper(options: BrowserFileKeeperOptions = {}): FileKeeper {
  const limit = options.smallFileLimit ?? DEFAULT_SMALL_FILE_LIMIT
  const dbName = options.dbName ?? 'shuttle-files'
  const dirName = options.directory ?? 'shuttle-kept'
  const factory = options.indexedDB ?? globalThis.indexedDB
  let db: Promise<IDBDatabase> | undefined
  // One keep per fingerprint at a time; forget waits for it, so a late copy is not left behind.
  const keeping = new Map<string, Promise<void>>()

  const open = () => {
    db ??= new Promise<IDBDatabase>((resolve, reject) => {
      if (!factory) return reject(new Error('IndexedDB is not available'))
      const req = factory.open(dbName, 1)
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE)
      }
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => {
        db = undefined
        reject(req.error)
      }
    })
    return db
  }
  const store = async (mode: IDBTransactionMode) => (await open()).transaction(STORE, mode).objectStore(STORE)
  const get = async (fp: string) =>
    (await wrap<unknown>((await store('readonly')).get(fp))) as Entry | undefined
  const directory = async (): Promise<FileSystemDirectoryHandle | undefined> => {
    const storage = globalThis.navigator?.storage as StorageManager | undefined
    if (typeof storage?.getDirectory !== 'function') return undefined
    const root = await storage.getDirectory()
    return root.getDirectoryHandle(dirName, { create: true })
  }

  async function copy(fp: string, blob: Blob): Promise<string | undefined> {
    const dir = await directory()
    if (!dir) return undefined
    const name = await copyName(fp)
    const handle = await dir.getFileHandle(name, { create: true })
    if (typeof handle.createWritable !== 'function') return undefined // Safari before 26
    const writable = await handle.createWritable()
    try {
      await writable.write(blob)
      await writable.close()
    } catch (err) {
      await writable.abort().catch(() => {})
      await dir.removeEntry(name).catch(() => {})
      throw err
    }
    return name
  }

  async function keepNow(fp: string, input: unknown, info: SourceInfo): Promise<void> {
    const handle = fileHandleOf(input)
    // A ghost picked again with a handle (the ghost row's picker) is kept as the handle now.
    const existing = await get(fp)
    if (existing && (existing.how !== 'ghost' || !handle)) return
    const blob = blobOf(input)
    const size = info.size ?? blob?.size
    if (size === undefined || size === null) return
    const base: KeptFile = {
      fingerprint: fp,
      name: info.name,
      size,
      type: info.type,
      ...(info.lastModified !== undefined ? { lastModified: info.lastModified } : {}),
      how: 'ghost',
    }
    let entry: Entry = base
    if (handle) entry = { ...base, how: 'handle', handle }
    else if (blob && size <= limit) {
      const name = await copy(fp, blob).catch(() => undefined)
      if (name) entry = { ...base, how: 'copy', copy: name }
    }
    try {
      await wrap((await store('readwrite')).put(entry, fp))
    } catch {
      // A browser that cannot store handles (or is out of quota) still remembers the ghost.
      if (entry.how !== 'ghost') await wrap((await store('readwrite')).put(base, fp))
    }
  }

  async function readEntry(entry: Entry): Promise<File | undefined> {
    if (entry.how === 'copy' && entry.copy) {
      const dir = await directory()
      const file = await (await dir?.getFileHandle(entry.copy))?.getFile()
      if (!file || file.size !== entry.size) return undefined
      return new File([file], entry.name, {
        type: entry.type,
        ...(entry.lastModified !== undefined ? { lastModified: entry.lastModified } : {}),
      })
    }
    if (entry.how === 'handle' && entry.handle) {
      const file = await entry.handle.getFile()
      // Changed on disk since: other bytes than the server holds, so not this upload.
      if (
        file.size !== entry.size ||
        (entry.lastModified !== undefined && file.lastModified !== entry.lastModified)
      )
        return undefined
      // Kept attached: the engine finds the entry it already has instead of making another.
      return attachFileHandle(file, entry.handle)
    }
    return undefined
  }

  return {
    ...(options.keepAfterMs !== undefined ? { keepAfterMs: options.keepAfterMs } : {}),
    keep(fp, input, info) {
      const prev = keeping.get(fp)
      if (prev) return prev
      const p = keepNow(fp, input, info)
        .catch(() => {})
        .finally(() => keeping.delete(fp))
      keeping.set(fp, p)
      return p
    },
    async forget(fp) {
      await keeping.get(fp)
      const entry = await get(fp).catch(() => undefined)
      if (entry?.copy) {
        const dir = await directory().catch(() => undefined)
        await dir?.removeEntry(entry.copy).catch(() => {})
      }
      await wrap((await store('readwrite')).delete(fp)).catch(() => {})
    },
    async list() {
      const all = (await wrap<unknown[]>((await store('readonly')).getAll())) as Entry[]
      return all.map(({ handle: _h, copy: _c, ...kept }) => kept)
    },
    async open(fp) {
      const entry = await get(fp)
      if (!entry) return undefined
      if (entry.how === 'handle') {
        const h = entry.handle as PermissionedHandle | undefined
        const state = (await h?.queryPermission?.({ mode: 'read' })) ?? 'granted'
        if (state !== 'granted') return undefined
      }
      return readEntry(entry).catch(() => undefined)
    },
    async requestAccess(fp) {
      const entry = await get(fp)
      const h = entry?.handle as PermissionedHandle | undefined
      if (!entry || !h) return undefined
      const state = (await h.requestPermission?.({ mode: 'read' })) ?? 'granted'
      if (state !== 'granted') return undefined
      return readEntry(entry).catch(() => undefined)
    },
  }
}
