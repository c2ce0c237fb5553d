// File System Access handles travel with the File they were read from, so `add(file)` keeps its
// signature and the engine's file keeper finds the handle when it keeps the file.

/** The handle methods Chromium has and lib.dom does not declare yet. */
export interface PermissionedHandle extends FileSystemFileHandle {
  queryPermission?(d: { mode: 'read' | 'readwrite' }): Promise<PermissionState>
  requestPermission?(d: { mode: 'read' | 'readwrite' }): Promise<PermissionState>
}

const handles = new WeakMap<object, FileSystemFileHandle>()

/**
 * Tells the engine that `file` was read from `handle` (showOpenFilePicker, a drop's
 * getAsFileSystemHandle), so a file keeper keeps the handle instead of a copy or a ghost.
 *
 * @example
 * const [handle] = await showOpenFilePicker()
 * uploader.add(attachFileHandle(await handle.getFile(), handle))
 */
export function attachFileHandle<F extends File>(file: F, handle: FileSystemFileHandle): F {
  handles.set(file, handle)
  return file
}

/** The handle `file` was read from, if attachFileHandle said so. */
export function fileHandleOf(file: unknown): FileSystemFileHandle | undefined {
  return typeof file === 'object' && file !== null ? handles.get(file) : undefined
}

type Picker = (o?: { multiple?: boolean }) => Promise<FileSystemFileHandle[]>

/** Whether this browser can pick files as handles (Chromium; not Firefox or Safari). */
export function canPickFileHandles(): boolean {
  return typeof (globalThis as { showOpenFilePicker?: Picker }).showOpenFilePicker === 'function'
}

/**
 * Opens the File System Access picker (call it from a click) and returns the picked files, each
 * with its handle attached. Resolves [] when the user closes the picker.
 */
export async function pickFilesWithHandles(options: { multiple?: boolean } = {}): Promise<File[]> {
  const picker = (globalThis as { showOpenFilePicker?: Picker }).showOpenFilePicker
  if (!picker) throw new TypeError('showOpenFilePicker is not available in this browser')
  let picked: FileSystemFileHandle[]
  try {
    picked = await picker({ multiple: options.multiple ?? false })
  } catch (err) {
    if ((err as { name?: string }).name === 'AbortError') return []
    throw err
  }
  return Promise.all(picked.map(async (h) => attachFileHandle(await h.getFile(), h)))
}
