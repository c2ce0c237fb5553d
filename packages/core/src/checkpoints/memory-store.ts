import type { Checkpoint, CheckpointStore } from '../ports.js'

/**
 * Checkpoints in a Map: survive pause/resume and retries, not a reload or a restart.
 *
 * @example
 * createUploader({ endpoint, checkpointStore: createMemoryCheckpointStore() })
 */
export function createMemoryCheckpointStore(): CheckpointStore {
  const map = new Map<string, Checkpoint>()
  // Copies in and out so callers can't mutate what is stored.
  const copy = (cp: Checkpoint): Checkpoint => structuredCopy(cp)
  return {
    async get(fp) {
      const cp = map.get(fp)
      return cp && copy(cp)
    },
    async set(fp, cp) {
      map.set(fp, copy(cp))
    },
    async delete(fp) {
      map.delete(fp)
    },
    async list() {
      return [...map].map(([fingerprint, cp]) => ({ fingerprint, checkpoint: copy(cp) }))
    },
  }
}

export function structuredCopy(cp: Checkpoint): Checkpoint {
  return JSON.parse(JSON.stringify(cp)) as Checkpoint
}
