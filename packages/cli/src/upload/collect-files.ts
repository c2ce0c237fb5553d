import { type Dirent, promises as fs } from 'node:fs'
import path from 'node:path'

export interface LocalFile {
  /** Absolute path. */
  path: string
  /** Path relative to the directory it was found in, with `/` separators; the base name for files named directly. */
  relativePath: string
  size: number
  mtimeMs: number
}

export interface Collected {
  files: LocalFile[]
  /** Inputs that could not be read, with the reason. */
  missing: { input: string; reason: string }[]
}

/** Expands files and directories (recursively, in name order; symlinked directories are not followed). */
export async function collectFiles(inputs: string[]): Promise<Collected> {
  const files: LocalFile[] = []
  const missing: Collected['missing'] = []
  const seen = new Set<string>()
  const add = (file: LocalFile) => {
    if (seen.has(file.path)) return
    seen.add(file.path)
    files.push(file)
  }
  for (const input of inputs) {
    const abs = path.resolve(input)
    const st = await fs.stat(abs).catch((err: NodeJS.ErrnoException) => err)
    if (st instanceof Error) {
      missing.push({ input, reason: st.code === 'ENOENT' ? 'no such file or directory' : st.message })
      continue
    }
    if (st.isFile()) {
      add({ path: abs, relativePath: path.basename(abs), size: st.size, mtimeMs: st.mtimeMs })
    } else if (st.isDirectory()) {
      for await (const f of walk(abs, abs)) add(f)
    } else {
      missing.push({ input, reason: 'not a regular file or directory' })
    }
  }
  return { files, missing }
}

async function* walk(root: string, dir: string): AsyncGenerator<LocalFile> {
  const entries: Dirent[] = await fs.readdir(dir, { withFileTypes: true })
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const e of entries) {
    const abs = path.join(dir, e.name)
    if (e.isDirectory()) {
      yield* walk(root, abs)
    } else if (e.isFile()) {
      const st = await fs.stat(abs)
      yield {
        path: abs,
        relativePath: path.relative(root, abs).split(path.sep).join('/'),
        size: st.size,
        mtimeMs: st.mtimeMs,
      }
    }
  }
}
