import { createHash, type Hash } from 'node:crypto'
import { IDENTITY_BLOCK_SIZE } from '@shuttle/protocol'

/** sha256-4m, fed in order: SHA-256 over the SHA-256 of each 4 MiB block (see @shuttle/protocol). */
export class IdentityHash {
  readonly #outer = createHash('sha256')
  #block: Hash = createHash('sha256')
  #inBlock = 0

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

  #endBlock(): void {
    this.#outer.update(this.#block.digest())
    this.#block = createHash('sha256')
    this.#inBlock = 0
  }
}
