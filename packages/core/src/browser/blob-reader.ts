/**
 * Reads byte ranges of a Blob without making Chromium store a copy of each range.
 *
 * `blob.slice(a, b)` of an in-memory Blob is not a view in Chromium: the browser process copies the
 * part of each data item the slice covers, and that copy counts against the blob storage quota until
 * the renderer's garbage collector happens to drop the slice object (it cannot see that memory, so
 * it is in no hurry). Reading every chunk through a fresh slice (and, for checksums, sending it as
 * a second Blob) piled up hundreds of MiB of dead copies; in an off-the-record profile (incognito
 * windows, Playwright) there is no disk to page them to, the quota runs out, new slices are built as
 * ERR_OUT_OF_MEMORY and every read fails with NotReadableError until a GC runs.
 *
 * So ranges are read from streams (`blob.stream()`: the browser reads the items in place) kept
 * open while the engine reads forward, which is how uploads read: chunk after chunk, and the file's
 * hash catching up from byte 0. A read that goes back a little (a chunk sent again) is a one-off
 * slice of just that range; a read ahead of every stream opens one at that byte.
 */
export interface BlobRangeReader {
  /** `once`: a one-off range (see FileSource.read): a slice of just it, not queued behind other reads. */
  read(start: number, end: number, options?: { once?: boolean }): Promise<Uint8Array>
  close(): Promise<void>
}

interface Cursor {
  pos: number
  reader: ReadableStreamDefaultReader<Uint8Array>
  /** Bytes read from the stream but not yet handed out; they start at pos. */
  rest: Uint8Array | undefined
  used: number
}

// Two forward readers: the chunks being sent and the file's hash catching up behind them.
const MAX_CURSORS = 2

export function createBlobRangeReader(blob: Blob): BlobRangeReader {
  const cursors: Cursor[] = []
  let tick = 0
  // One read at a time: a stream's reader serves one range after another.
  let queue: Promise<unknown> = Promise.resolve()

  const open = (start: number): Cursor => {
    const stream = (start === 0 ? blob : blob.slice(start)).stream() as ReadableStream<Uint8Array>
    const cursor: Cursor = { pos: start, reader: stream.getReader(), rest: undefined, used: ++tick }
    cursors.push(cursor)
    if (cursors.length > MAX_CURSORS) {
      const oldest = cursors.reduce((a, b) => (a.used <= b.used ? a : b))
      drop(oldest)
    }
    return cursor
  }

  const drop = (cursor: Cursor) => {
    cursors.splice(cursors.indexOf(cursor), 1)
    cursor.reader.cancel().catch(() => {})
  }

  const fromCursor = async (cursor: Cursor, start: number, end: number): Promise<Uint8Array> => {
    cursor.used = ++tick
    const out = new Uint8Array(end - start)
    let filled = 0
    try {
      while (filled < out.byteLength) {
        let piece = cursor.rest
        cursor.rest = undefined
        if (!piece) {
          const next = await cursor.reader.read()
          if (next.done) throw new RangeError(`the Blob ended at byte ${cursor.pos}, before ${end}`)
          piece = next.value
        }
        const take = Math.min(piece.byteLength, out.byteLength - filled)
        out.set(take === piece.byteLength ? piece : piece.subarray(0, take), filled)
        filled += take
        cursor.pos += take
        if (take < piece.byteLength) cursor.rest = piece.subarray(take)
      }
    } catch (err) {
      // A stream that failed part-way is of no further use.
      drop(cursor)
      throw err
    }
    return out
  }

  const readRange = async (start: number, end: number): Promise<Uint8Array> => {
    if (end <= start) return new Uint8Array(0)
    const at = cursors.find((c) => c.pos === start)
    if (at) return fromCursor(at, start, end)
    // Going back on a stream (a chunk sent again): read just that range once.
    if (start > 0 && cursors.some((c) => c.pos > start && c.pos - start <= end - start)) {
      return new Uint8Array(await blob.slice(start, end).arrayBuffer())
    }
    return fromCursor(open(start), start, end)
  }

  return {
    read(start, end, options) {
      // A proof's 16 ranges of 32 KiB as streams opened at each (queued, one after another, each
      // dropped after 32 KiB): 50–100 ms between the POST's answer and the proof in Chromium at
      // load 9–12; as slices read at once (the copies are 512 KiB in all) the whole POST to proof
      // answered took 33–107 ms at load 6.4–8.8 (the proof PATCH 7–56 ms of it).
      if (options?.once)
        return blob
          .slice(start, end)
          .arrayBuffer()
          .then((b) => new Uint8Array(b))
      const run = queue.then(() => readRange(start, end))
      queue = run.catch(() => {})
      return run
    },
    async close() {
      await queue
      for (const c of [...cursors]) drop(c)
    },
  }
}
