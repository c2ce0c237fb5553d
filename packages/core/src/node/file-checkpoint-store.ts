import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { parseCheckpoint } from '../checkpoints/checkpoint.js'
import type { Checkpoint, CheckpointStore } from '../ports.js'

interface Entry {
  fingerprint: string
  checkpoint: Checkpoint
}

/**
 * One JSON file per fingerprint in `directory`, written to a temp file and renamed into place, so a
 * process killed mid-write leaves the old checkpoint or the new one, never half of one. The temp
 * file such a kill leaves behind is removed with the checkpoint, once its upload is done.
 *
 * @example
 * createUploader({ endpoint, checkpointStore: createFileCheckpointStore('.shuttle-checkpoints') })
 */
export function createFileCheckpointStore(directory: string): CheckpointStore {
  let ready: Promise<unknown> | undefined
  const ensureDir = () => {
    ready ??= mkdir(directory, { recursive: true }).catch((err: unknown) => {
      ready = undefined
      throw err
    })
    return ready
  }
  const fileOf = (fp: string) => join(directory, `${createHash('sha256').update(fp).digest('hex')}.json`)
  // Temp files this store is writing right now; any other `<file>.*.tmp` was left by a killed process.
  const writing = new Set<string>()

  async function readEntry(file: string): Promise<Entry | undefined> {
    try {
      const parsed = JSON.parse(await readFile(file, 'utf8')) as {
        fingerprint?: unknown
        checkpoint?: unknown
      }
      const checkpoint = parseCheckpoint(parsed.checkpoint)
      if (typeof parsed.fingerprint !== 'string' || !checkpoint) return undefined
      return { fingerprint: parsed.fingerprint, checkpoint }
    } catch {
      return undefined // missing or corrupt: no checkpoint
    }
  }

  return {
    async get(fp) {
      const entry = await readEntry(fileOf(fp))
      return entry?.fingerprint === fp ? entry.checkpoint : undefined
    },
    async set(fp, checkpoint) {
      await ensureDir()
      const file = fileOf(fp)
      const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`
      writing.add(tmp)
      try {
        await writeFile(tmp, JSON.stringify({ fingerprint: fp, checkpoint } satisfies Entry))
        await rename(tmp, file)
      } catch (err) {
        await rm(tmp, { force: true })
        throw err
      } finally {
        writing.delete(tmp)
      }
    },
    async delete(fp) {
      const file = fileOf(fp)
      await rm(file, { force: true })
      const prefix = `${basename(file)}.`
      let names: string[]
      try {
        names = await readdir(directory)
      } catch {
        return
      }
      const leftovers = names
        .filter((n) => n.startsWith(prefix) && n.endsWith('.tmp'))
        .map((n) => join(directory, n))
        .filter((path) => !writing.has(path))
      await Promise.all(leftovers.map((path) => rm(path, { force: true })))
    },
    async list() {
      let names: string[]
      try {
        names = await readdir(directory)
      } catch {
        return []
      }
      const entries = await Promise.all(
        names.filter((n) => n.endsWith('.json')).map((n) => readEntry(join(directory, n))),
      )
      return entries.filter((e): e is Entry => e !== undefined)
    },
  }
}
