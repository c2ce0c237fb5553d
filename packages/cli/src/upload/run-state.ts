import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { LocalFile } from './collect-files.js'

interface Entry {
  size: number
  mtimeMs: number
  /** Set once the file finished uploading in this batch. */
  url?: string
}

export type FilePlan =
  | { kind: 'upload' }
  | { kind: 'done'; url: string }
  | { kind: 'changed'; before: { size: number; mtimeMs: number } }

/**
 * What one command (same endpoint, same inputs) has done so far. It lets the same command, run
 * again after Ctrl-C or a crash, skip files that already finished and say which files changed
 * since their checkpoint. Deleted when the whole batch succeeds, so a later run uploads anew.
 */
export class RunState {
  private entries: Record<string, Entry> = {}
  private readonly file: string
  private writing: Promise<void> = Promise.resolve()

  constructor(stateDir: string, endpoint: string, inputs: readonly string[]) {
    const key = createHash('sha256')
      .update(JSON.stringify({ endpoint, inputs: inputs.map((i) => path.resolve(i)).sort() }))
      .digest('hex')
      .slice(0, 32)
    this.file = path.join(stateDir, 'runs', `${key}.json`)
  }

  async load(): Promise<void> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'))
      if (parsed && typeof parsed === 'object') this.entries = parsed as Record<string, Entry>
    } catch {
      this.entries = {}
    }
  }

  /** Decides what to do with a file and records it as part of this batch. */
  plan(file: LocalFile): FilePlan {
    const before = this.entries[file.path]
    const same = before !== undefined && before.size === file.size && before.mtimeMs === file.mtimeMs
    if (same && before.url) return { kind: 'done', url: before.url }
    this.entries[file.path] = { size: file.size, mtimeMs: file.mtimeMs }
    if (before && !same) return { kind: 'changed', before: { size: before.size, mtimeMs: before.mtimeMs } }
    return { kind: 'upload' }
  }

  finished(file: LocalFile, url: string): void {
    this.entries[file.path] = { size: file.size, mtimeMs: file.mtimeMs, url }
  }

  /** Atomic write (temp + rename), serialised so saves never interleave. */
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

  async clear(): Promise<void> {
    await this.writing
    await rm(this.file, { force: true })
  }
}
