import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'

export interface Segment {
  path: string
  length: number
}

/**
 * Bytes [start, end) of the concatenation of `segments`, as one byte stream that reads each
 * overlapping file in turn. Destroying the stream closes the file being read.
 */
export function readSegments(
  segments: readonly Segment[],
  start: number,
  end: number,
  highWaterMark: number,
): Readable {
  async function* bytes() {
    let at = 0
    for (const s of segments) {
      const from = Math.max(start, at)
      const to = Math.min(end, at + s.length)
      if (from < to) {
        for await (const chunk of createReadStream(s.path, {
          start: from - at,
          end: to - at - 1,
          highWaterMark,
        }))
          yield chunk as Buffer
      }
      at += s.length
      if (at >= end) return
    }
  }
  return Readable.from(bytes(), { objectMode: false, highWaterMark })
}
