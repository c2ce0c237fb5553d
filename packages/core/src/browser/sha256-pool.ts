import { createSHA256, type IHasher } from 'hash-wasm'
import type { CreateSha256, Sha256 } from '../ports.js'

/** Idle hashers kept for reuse; more than this many finished at once are let go. */
const KEEP_IDLE = 16

/**
 * Incremental SHA-256s from hash-wasm, reused. Each hash-wasm hasher is a WebAssembly instance
 * with its own memory, and every wasm memory reserves gigabytes of address space: 10 000 small
 * files each hashed by a new one made V8 run two full, blocking garbage collections every hundred
 * or so files to free address space (100–400 ms each on a 2-core machine). A hasher that produced
 * its digest goes back to the pool, so a page holds about as many as files are hashed at once.
 */
export function createSha256Pool(create: () => Promise<IHasher> = createSHA256): CreateSha256 {
  const idle: IHasher[] = []
  return async (): Promise<Sha256> => {
    let hasher: IHasher | undefined = idle.pop() ?? (await create())
    hasher.init()
    return {
      update(bytes) {
        if (!hasher) throw new Error('sha256: update after digest')
        hasher.update(bytes)
      },
      digest() {
        if (!hasher) throw new Error('sha256: digest called twice')
        const out = hasher.digest('binary')
        if (idle.length < KEEP_IDLE) idle.push(hasher)
        // This handle is spent: the hasher now belongs to the pool (and maybe to another file).
        hasher = undefined
        return out
      },
    }
  }
}
