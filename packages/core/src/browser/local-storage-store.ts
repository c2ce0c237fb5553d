import { parseCheckpoint } from '../checkpoints/checkpoint.js'
import type { Checkpoint, CheckpointStore } from '../ports.js'

const PREFIX = 'shuttle::'

/**
 * Checkpoints in localStorage (survive reloads). Small JSON per file; for thousands of files prefer
 * createIndexedDbCheckpointStore. Quota or privacy-mode errors surface as rejected promises, which
 * the engine treats as "no checkpoint".
 */
export function createLocalStorageCheckpointStore(
  storage: Storage = globalThis.localStorage,
  prefix = PREFIX,
): CheckpointStore {
  const parse = (raw: string | null): Checkpoint | undefined => {
    if (raw === null) return undefined
    try {
      return parseCheckpoint(JSON.parse(raw))
    } catch {
      return undefined
    }
  }
  return {
    async get(fp) {
      return parse(storage.getItem(prefix + fp))
    },
    async set(fp, cp) {
      storage.setItem(prefix + fp, JSON.stringify(cp))
    },
    async delete(fp) {
      storage.removeItem(prefix + fp)
    },
    async list() {
      const out: Array<{ fingerprint: string; checkpoint: Checkpoint }> = []
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i)
        if (!key?.startsWith(prefix)) continue
        const checkpoint = parse(storage.getItem(key))
        if (checkpoint) out.push({ fingerprint: key.slice(prefix.length), checkpoint })
      }
      return out
    },
  }
}
