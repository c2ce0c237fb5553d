import type { FileKeeper, KeptFile } from '../ports.js'

/**
 * A FileKeeper in memory for engine tests: `how(name)` decides what a browser would keep of each
 * file; handles start without permission, as after a browser restart.
 */
export function createMemoryKeeper(how: (name: string) => KeptFile['how']) {
  const kept = new Map<string, { file: KeptFile; input: unknown; allowed: boolean }>()
  const keeper: FileKeeper & { kept: typeof kept; asked: string[] } = {
    kept,
    asked: [],
    keepAfterMs: 0,
    async keep(fingerprint, input, info) {
      if (kept.has(fingerprint)) return
      const file = {
        fingerprint,
        name: info.name,
        size: info.size ?? 0,
        type: info.type,
        how: how(info.name),
      }
      kept.set(fingerprint, { file, input, allowed: false })
    },
    async forget(fingerprint) {
      kept.delete(fingerprint)
    },
    async list() {
      return [...kept.values()].map((k) => k.file)
    },
    async open(fingerprint) {
      const k = kept.get(fingerprint)
      if (!k || k.file.how === 'ghost' || (k.file.how === 'handle' && !k.allowed)) return undefined
      return k.input
    },
    async requestAccess(fingerprint) {
      keeper.asked.push(fingerprint)
      const k = kept.get(fingerprint)
      if (k?.file.how !== 'handle') return undefined
      k.allowed = true
      return k.input
    },
  }
  return keeper
}
