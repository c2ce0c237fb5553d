import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

export const MiB = 1024 * 1024

/**
 * A deterministic, seekable stream of pseudo-random bytes: byte `x` of the pattern depends only
 * on (seed, x). Pieces of `pieceSize` bytes are generated on demand from a xorshift128 PRNG seeded
 * per piece, so any range can be re-sent (resume from a server offset) without keeping it in memory.
 */
export class Pattern {
  readonly seed: number
  readonly size: number
  readonly pieceSize: number
  #cache: { index: number; bytes: Buffer } | undefined

  constructor(seed: number, size: number, pieceSize = MiB) {
    if (pieceSize % 4 !== 0) throw new Error('pieceSize must be a multiple of 4')
    this.seed = seed >>> 0
    this.size = size
    this.pieceSize = pieceSize
  }

  /** Piece `index` (the last one may be shorter than pieceSize). */
  piece(index: number): Buffer {
    if (this.#cache?.index === index) return this.#cache.bytes
    const start = index * this.pieceSize
    const len = Math.max(0, Math.min(this.pieceSize, this.size - start))
    const words = new Uint32Array(this.pieceSize / 4)
    // splitmix32-style seeding of a xorshift128 state from (seed, index)
    let s = (this.seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0
    const next = () => {
      s = (s + 0x6d2b79f5) >>> 0
      let z = s
      z = Math.imul(z ^ (z >>> 15), z | 1)
      z ^= z + Math.imul(z ^ (z >>> 7), z | 61)
      return (z ^ (z >>> 14)) >>> 0
    }
    let a = next() | 1
    let b = next()
    let c = next()
    let d = next()
    for (let i = 0; i < words.length; i++) {
      let t = a ^ (a << 11)
      a = b
      b = c
      c = d
      d = (d ^ (d >>> 19) ^ (t ^ (t >>> 8))) >>> 0
      t = d
      words[i] = t
    }
    const bytes = Buffer.from(words.buffer, 0, len)
    this.#cache = { index, bytes }
    return bytes
  }

  /** Bytes [start, end) of the pattern, copied into one Buffer (keep ranges small). */
  slice(start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(Math.max(0, end - start))
    let pos = start
    while (pos < end) {
      const index = Math.floor(pos / this.pieceSize)
      const piece = this.piece(index)
      const from = pos - index * this.pieceSize
      const n = Math.min(piece.length - from, end - pos)
      piece.copy(out, pos - start, from, from + n)
      pos += n
    }
    return out
  }

  /** Yields the range [start, end) in chunks no larger than `chunkSize` (fresh Buffers). */
  *chunks(start = 0, end = this.size, chunkSize = this.pieceSize): Generator<Buffer> {
    for (let pos = start; pos < end; pos += chunkSize) yield this.slice(pos, Math.min(end, pos + chunkSize))
  }

  stream(start = 0, end = this.size, chunkSize = this.pieceSize): Readable {
    return Readable.from(this.chunks(start, end, chunkSize), { objectMode: false })
  }

  /** sha256 (hex) of the range [start, end). */
  sha256(start = 0, end = this.size): string {
    const hash = createHash('sha256')
    for (const chunk of this.chunks(start, end)) hash.update(chunk)
    return hash.digest('hex')
  }

  /** Writes the whole pattern to `file`, returns its sha256. */
  async writeFile(file: string): Promise<{ path: string; size: number; sha256: string }> {
    const hash = createHash('sha256')
    const tap = async function* (source: Iterable<Buffer>) {
      for (const chunk of source) {
        hash.update(chunk)
        yield chunk
      }
    }
    await pipeline(tap(this.chunks()), createWriteStream(file))
    return { path: file, size: this.size, sha256: hash.digest('hex') }
  }
}

export function sha256(data: Buffer | Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex')
}

/** Index of the first byte where a and b differ, or -1 if equal over min length and same length. */
export function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length)
  const CHUNK = 64 * 1024
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(n, i + CHUNK)
    if (!a.subarray(i, m).equals(b.subarray(i, m))) {
      for (let j = i; j < m; j++) if (a[j] !== b[j]) return j
    }
  }
  return a.length === b.length ? -1 : n
}

/** sha256 (hex) and size of a file on disk, streamed. */
export async function fileSha256(file: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256')
  let size = 0
  for await (const chunk of createReadStream(file, { highWaterMark: MiB })) {
    size += (chunk as Buffer).length
    hash.update(chunk as Buffer)
  }
  return { size, sha256: hash.digest('hex') }
}
