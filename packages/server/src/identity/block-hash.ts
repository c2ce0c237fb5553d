import { createHash, type Hash } from 'node:crypto'
import { IDENTITY_BLOCK_SIZE, IDENTITY_LEAF_SIZE } from '@shuttle/protocol'

/** A hash fed in order that can say its digest so far without ending. */
interface PartHash {
  update(data: Uint8Array): void
  /** The digest of what was fed so far; the hash goes on. */
  peek(): Buffer
  /** The digest; the hash is done. */
  digest(): Buffer
}

/** A 512 KiB leaf: plain SHA-256. */
function leafHash(): PartHash {
  const hash = createHash('sha256')
  return {
    update: (data) => hash.update(data),
    peek: () => hash.copy().digest(),
    digest: () => hash.digest(),
  }
}

/**
 * SHA-256 over the digests of the consecutive `size`-byte parts of what is fed (the last one
 * shorter), each hashed by a fresh `newPart()`: the identity's construction at both of its levels
 * (see @shuttle/protocol), blocks over leaves and the file over blocks. `onPart` sees each part's
 * digest as it ends.
 */
class OverParts implements PartHash {
  readonly #outer = createHash('sha256')
  readonly #size: number
  readonly #newPart: () => PartHash
  readonly #onPart: ((digest: Buffer) => void) | undefined
  #part: PartHash
  #filled = 0

  constructor(size: number, newPart: () => PartHash, onPart?: (digest: Buffer) => void) {
    this.#size = size
    this.#newPart = newPart
    this.#onPart = onPart
    this.#part = newPart()
  }

  /** Bytes fed into the current part (0 on a part boundary). */
  get filled(): number {
    return this.#filled
  }

  update(data: Uint8Array): void {
    let at = 0
    while (at < data.byteLength) {
      const take = Math.min(this.#size - this.#filled, data.byteLength - at)
      this.#part.update(data.subarray(at, at + take))
      this.#filled += take
      at += take
      if (this.#filled === this.#size) this.#endPart()
    }
  }

  /** The unfinished part's digest so far; undefined on a part boundary. */
  peekPart(): Buffer | undefined {
    return this.#filled > 0 ? this.#part.peek() : undefined
  }

  peek(): Buffer {
    const out = this.#outer.copy()
    const part = this.peekPart()
    if (part) out.update(part)
    return out.digest()
  }

  digest(): Buffer {
    if (this.#filled > 0) this.#endPart()
    return this.#outer.digest()
  }

  #endPart(): void {
    const digest = this.#part.digest()
    this.#onPart?.(digest)
    this.#outer.update(digest)
    this.#part = this.#newPart()
    this.#filled = 0
  }
}

/**
 * sha256-4m, fed in order: SHA-256 over the digest of each 4 MiB block, a block's digest being the
 * SHA-256 over its 512 KiB leaves' SHA-256s (see @shuttle/protocol).
 */
export class IdentityHash {
  readonly #taps = new Set<Hash>()
  readonly #blocks = new OverParts(
    IDENTITY_BLOCK_SIZE,
    () => new OverParts(IDENTITY_LEAF_SIZE, leafHash),
    (block) => {
      for (const tap of this.#taps) tap.update(block)
    },
  )

  update(data: Uint8Array): this {
    this.#blocks.update(data)
    return this
  }

  /** 32 bytes; an empty input gives the SHA-256 of nothing, as the contract says. */
  digest(): Uint8Array {
    return new Uint8Array(this.#blocks.digest())
  }

  /**
   * At a block boundary: the sha256-4m of what is fed from now on (a request's Upload-Checksum),
   * from this hash's own block digests, so those bytes are hashed once for both. `close()` detaches
   * it. Undefined mid-block (the request does not start on a 4 MiB boundary of the upload).
   */
  tap(): { digest(): Uint8Array; close(): void } | undefined {
    if (this.#blocks.filled !== 0) return undefined
    const tap = createHash('sha256')
    this.#taps.add(tap)
    return {
      digest: () => {
        const out = tap.copy()
        const partial = this.#blocks.peekPart()
        if (partial) out.update(partial)
        return new Uint8Array(out.digest())
      },
      close: () => {
        this.#taps.delete(tap)
      },
    }
  }
}
