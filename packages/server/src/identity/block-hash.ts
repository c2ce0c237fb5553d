import { createHash, type Hash } from 'node:crypto'
import { IDENTITY_BLOCK_SIZE, IDENTITY_LEAF_SIZE } from '@shuttle/protocol'

/**
 * One 4 MiB block's digest as the identity defines it, fed in order: SHA-256 over the SHA-256 of
 * each 512 KiB leaf.
 */
class BlockHash {
  #leaves = createHash('sha256')
  #leaf: Hash = createHash('sha256')
  #inLeaf = 0

  update(data: Uint8Array): void {
    let at = 0
    while (at < data.byteLength) {
      const take = Math.min(IDENTITY_LEAF_SIZE - this.#inLeaf, data.byteLength - at)
      this.#leaf.update(data.subarray(at, at + take))
      this.#inLeaf += take
      at += take
      if (this.#inLeaf === IDENTITY_LEAF_SIZE) this.#endLeaf()
    }
  }

  /** The digest of what was fed so far; the hash goes on. */
  peek(): Buffer {
    const out = this.#leaves.copy()
    if (this.#inLeaf > 0) out.update(this.#leaf.copy().digest())
    return out.digest()
  }

  /** The digest; the hash starts a new block. */
  digest(): Buffer {
    if (this.#inLeaf > 0) this.#endLeaf()
    const out = this.#leaves.digest()
    this.#leaves = createHash('sha256')
    return out
  }

  #endLeaf(): void {
    this.#leaves.update(this.#leaf.digest())
    this.#leaf = createHash('sha256')
    this.#inLeaf = 0
  }
}

/** sha256-4m, fed in order: SHA-256 over the digest of each 4 MiB block (see @shuttle/protocol). */
export class IdentityHash {
  readonly #outer = createHash('sha256')
  readonly #block = new BlockHash()
  #inBlock = 0
  readonly #taps = new Set<Hash>()

  update(data: Uint8Array): this {
    let at = 0
    while (at < data.byteLength) {
      const take = Math.min(IDENTITY_BLOCK_SIZE - this.#inBlock, data.byteLength - at)
      this.#block.update(data.subarray(at, at + take))
      this.#inBlock += take
      at += take
      if (this.#inBlock === IDENTITY_BLOCK_SIZE) this.#endBlock()
    }
    return this
  }

  /** 32 bytes; an empty input gives the SHA-256 of nothing, as the contract says. */
  digest(): Uint8Array {
    if (this.#inBlock > 0) this.#endBlock()
    return new Uint8Array(this.#outer.digest())
  }

  /**
   * At a block boundary: the sha256-4m of what is fed from now on (a request's Upload-Checksum),
   * from this hash's own block digests, so those bytes are hashed once for both. `close()` detaches
   * it. Undefined mid-block (the request does not start on a 4 MiB boundary of the upload).
   */
  tap(): { digest(): Uint8Array; close(): void } | undefined {
    if (this.#inBlock !== 0) return undefined
    const tap = createHash('sha256')
    this.#taps.add(tap)
    return {
      digest: () => {
        const out = tap.copy()
        if (this.#inBlock > 0) out.update(this.#block.peek())
        return new Uint8Array(out.digest())
      },
      close: () => {
        this.#taps.delete(tap)
      },
    }
  }

  #endBlock(): void {
    const block = this.#block.digest()
    for (const tap of this.#taps) tap.update(block)
    this.#outer.update(block)
    this.#inBlock = 0
  }
}
