import { createHash, type Hash } from 'node:crypto'
import { IDENTITY_BLOCK_SIZE } from '@shuttle/protocol'

/** sha256-4m, fed in order: SHA-256 over the SHA-256 of each 4 MiB block (see @shuttle/protocol). */
export class IdentityHash {
  readonly #outer = createHash('sha256')
  #block: Hash = createHash('sha256')
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
        if (this.#inBlock > 0) out.update(this.#block.copy().digest())
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
    this.#block = createHash('sha256')
    this.#inBlock = 0
  }
}
