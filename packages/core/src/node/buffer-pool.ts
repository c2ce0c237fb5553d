/**
 * Reusable read buffers for request bodies. A 1 MiB buffer per file read, allocated fresh and left
 * to the GC, costs page faults and lets dead buffers pile up between collections (client RSS grew
 * with parallel parts); a buffer goes back here only once the socket has flushed it (write
 * callback), so a recycled buffer is never overwritten while its bytes are still queued.
 */
export interface BufferPool {
  take(): Buffer
  give(chunk: Uint8Array): void
}

export function createBufferPool(size: number, keep: number): BufferPool {
  const free: ArrayBuffer[] = []
  return {
    take() {
      const ab = free.pop() ?? new ArrayBuffer(size)
      return Buffer.from(ab, 0, size)
    },
    give(chunk) {
      const ab = chunk.buffer
      if (ab instanceof ArrayBuffer && ab.byteLength === size && free.length < keep && !free.includes(ab))
        free.push(ab)
    },
  }
}
