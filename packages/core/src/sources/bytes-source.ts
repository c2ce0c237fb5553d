import type { FileSource, SourceInfo } from '../ports.js'

const STREAM_PIECE = 1024 * 1024

/** In-memory bytes (Node Buffer, Uint8Array) as a source; slices are views, never copies. */
export function createBytesSource(bytes: Uint8Array, info: Omit<SourceInfo, 'size'>): FileSource {
  return {
    info: { ...info, size: bytes.byteLength },
    async read(start, end) {
      return bytes.subarray(start, end)
    },
    async *stream(start, end) {
      for (let at = start; at < end; at += STREAM_PIECE)
        yield bytes.subarray(at, Math.min(end, at + STREAM_PIECE))
    },
    async close() {},
  }
}
