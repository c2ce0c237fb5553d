import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { LocalFile } from './collect-files.js'

interface Entry {
  size: number
  mtimeMs: number
  endpoint: string
}

/**
 * Remembers, per absolute path, the size and mtime a file had when an upload of it began, so a
 * later run can say "this file changed since its checkpoint" instead of silently starting over.
 */
export class FileIndex {
  private entries: Record<string, Entry> = {}
  private readonly file: string
  private writing: Promise<void> = Promise.resolve()

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'cli-files.json')
  }

  async load(): Promise<void> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'))
      if (parsed && typeof parsed === 'object') this.entries = parsed as Record<string, Entry>
    } catch {
      this.entries = {}
    }
  }

  /** Records the file; returns what it was before when it changed since the last run. */
  remember(file: LocalFile, endpoint: string): Entry | undefined {
    const before = this.entries[file.path]
    this.entries[file.path] = { size: file.size, mtimeMs: file.mtimeMs, endpoint }
    if (
      before &&
      before.endpoint === endpoint &&
      (before.size !== file.size || before.mtimeMs !== file.mtimeMs)
    ) {
      return before
    }
    return undefined
  }

  forget(filePath: string): void {
    delete this.entries[filePath]
  }

  /** Atomic write (temp + rename), serialised so concurrent saves never interleave. */
  save(): Promise<void> {
    const data = JSON.stringify(this.entries)
    this.writing = this.writing.then(async () => {
      await mkdir(path.dirname(this.file), { recursive: true })
      const tmp = `${this.file}.${process.pid}.tmp`
      await writeFile(tmp, data)
      await rename(tmp, this.file)
    })
    return this.writing
  }
}
