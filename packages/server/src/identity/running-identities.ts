import { IdentityHash } from './block-hash.js'

/** Hash states kept at most (oldest dropped first: its upload is then read back at completion). */
const MAX_KEPT = 4096

/**
 * The sha256-4m state of uploads that declared an identity, next to the offset it covers, so the
 * completion check needs no second read of the bytes: each write feeds it what the store keeps
 * (the same way ContentDigests keeps the plain SHA-256). In memory only: after a restart, a rejected
 * chunk or a write cut off before it was verified, the state is gone and the identity is computed
 * from the stored bytes at completion instead.
 */
export class RunningIdentities {
  readonly #running = new Map<string, { offset: number; hash: IdentityHash }>()

  /** A hash covering exactly [0, offset) of the upload, to extend with the next write; undefined if unknown. */
  take(id: string, offset: number): IdentityHash | undefined {
    if (offset === 0) return new IdentityHash()
    const entry = this.#running.get(id)
    this.#running.delete(id)
    return entry?.offset === offset ? entry.hash : undefined
  }

  keep(id: string, offset: number, hash: IdentityHash): void {
    if (this.#running.size >= MAX_KEPT) this.#running.delete(this.#running.keys().next().value as string)
    this.#running.set(id, { offset, hash })
  }

  /** The identity of [0, offset) when the kept state covers exactly that; the state is spent. */
  finish(id: string, offset: number): Uint8Array | undefined {
    const entry = this.#running.get(id)
    this.#running.delete(id)
    return entry?.offset === offset ? entry.hash.digest() : undefined
  }

  forget(id: string): void {
    this.#running.delete(id)
  }
}
