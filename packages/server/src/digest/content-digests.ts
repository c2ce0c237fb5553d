import { createHash, type Hash } from 'node:crypto'
import type { DataStore, UploadInfo } from '../types.js'

/** Bytes at a time when a digest is recomputed from stored bytes. */
const MAX_KEPT = 4096

/**
 * The SHA-256 of every upload's stored bytes, so a finished upload can answer `Repr-Digest`
 * (RFC 9530) with what the server really holds. While an upload grows, its hash state is kept in
 * memory next to the offset it covers and handed to the store, which feeds it exactly the bytes it
 * keeps: a one-request upload is hashed once, as it arrives, with no second read. Node's hash state
 * cannot be saved, so after a restart, a rejected chunk or a write that failed half-way, the state is
 * dropped and the digest is recomputed from the stored bytes when the upload finishes (one read of
 * the file: ~0.53 CPU-s/GiB of SHA-256 on this machine plus the read). Either way the digest is of
 * the bytes on the store, never of what a client declared.
 */
export class ContentDigests {
  readonly #running = new Map<string, { offset: number; hash: Hash }>()
  readonly #finished = new Map<string, Uint8Array>()
  readonly #store: DataStore

  constructor(store: DataStore) {
    this.#store = store
  }

  /** A hash covering exactly [0, offset) of the upload, to extend with the next write; undefined if unknown. */
  take(id: string, offset: number): Hash | undefined {
    if (offset === 0) return createHash('sha256')
    const entry = this.#running.get(id)
    this.#running.delete(id)
    return entry?.offset === offset ? entry.hash : undefined
  }

  /** `hash` now covers [0, offset). */
  keep(id: string, offset: number, hash: Hash): void {
    if (this.#running.size >= MAX_KEPT) this.#running.delete(this.#running.keys().next().value as string)
    this.#running.set(id, { offset, hash })
  }

  /** The SHA-256 of a finished upload's stored bytes (computed from them when not known). */
  async finished(upload: UploadInfo): Promise<Uint8Array> {
    const known = this.#finished.get(upload.id)
    if (known) return known
    let digest: Uint8Array
    const entry = this.#running.get(upload.id)
    this.#running.delete(upload.id)
    if (entry && entry.offset === upload.offset) digest = entry.hash.digest()
    else digest = await this.#recompute(upload)
    if (this.#finished.size >= MAX_KEPT) this.#finished.delete(this.#finished.keys().next().value as string)
    this.#finished.set(upload.id, digest)
    return digest
  }

  /** Whether `finished(upload)` would have to read the stored bytes (no digest known for them). */
  needsRead(upload: UploadInfo): boolean {
    return !this.#finished.has(upload.id) && this.#running.get(upload.id)?.offset !== upload.offset
  }

  /** The digest of a finished upload's bytes, computed elsewhere from the stored bytes. */
  remember(id: string, digest: Uint8Array): void {
    this.#running.delete(id)
    if (this.#finished.size >= MAX_KEPT) this.#finished.delete(this.#finished.keys().next().value as string)
    this.#finished.set(id, digest)
  }

  /** `target` now holds `source`'s bytes (instant upload): it has the same digest, when known. */
  share(source: string, target: string): void {
    const known = this.#finished.get(source)
    if (known) this.remember(target, known)
  }

  forget(id: string): void {
    this.#running.delete(id)
    this.#finished.delete(id)
  }

  async #recompute(upload: UploadInfo): Promise<Uint8Array> {
    const hash = createHash('sha256')
    const read = this.#store.read?.bind(this.#store)
    if (!read) throw new Error('The store cannot read uploads back')
    for await (const chunk of await read(upload.id, { start: 0, end: upload.offset })) hash.update(chunk)
    return hash.digest()
  }
}
