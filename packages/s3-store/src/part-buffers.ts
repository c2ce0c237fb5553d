/**
 * Part-sized buffers handed back after their part is stored, for the next part of any write: a
 * PATCH of many parts then reuses the same few P-byte buffers instead of leaving one behind per
 * part for the garbage collector (which let RSS climb far above the P × (depth + 1) in use).
 * Keeps at most `maxBytes` idle.
 */
export class PartBuffers {
  readonly #idle = new Map<number, Buffer[]>()
  readonly #maxBytes: number
  #idleBytes = 0

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes
  }

  take(size: number): Buffer {
    const buffer = this.#idle.get(size)?.pop()
    if (!buffer) return Buffer.allocUnsafe(size)
    this.#idleBytes -= size
    return buffer
  }

  /** Only a buffer no request reads any more (its part stored, not abandoned mid-send). */
  give(buffer: Buffer): void {
    if (this.#idleBytes + buffer.length > this.#maxBytes) return
    const list = this.#idle.get(buffer.length) ?? []
    list.push(buffer)
    this.#idle.set(buffer.length, list)
    this.#idleBytes += buffer.length
  }

  get idleBytes(): number {
    return this.#idleBytes
  }
}
