import { describe, expect, it, vi } from 'vitest'
import { createBlobRangeReader } from './blob-reader.js'

const bytes = (size: number) => Uint8Array.from({ length: size }, (_, i) => i % 251)
const expected = (start: number, end: number) => [...bytes(end)].slice(start, end)

// Counts what Chromium would copy: every slice() and every stream() opened.
function watched(size: number) {
  const blob = new Blob([bytes(size)])
  const slices: Array<[number, number | undefined]> = []
  let streams = 0
  const realSlice = blob.slice.bind(blob)
  const realStream = blob.stream.bind(blob)
  vi.spyOn(blob, 'slice').mockImplementation((start?: number, end?: number) => {
    slices.push([start ?? 0, end])
    return realSlice(start, end)
  })
  vi.spyOn(blob, 'stream').mockImplementation(() => {
    streams++
    return realStream()
  })
  return { blob, slices, streams: () => streams }
}

describe('Blob range reader', () => {
  it('reads a file front to back from one stream, without a slice per range', async () => {
    const w = watched(100_000)
    const r = createBlobRangeReader(w.blob)
    for (let at = 0; at < 100_000; at += 7_000) {
      const end = Math.min(100_000, at + 7_000)
      expect([...(await r.read(at, end))]).toEqual(expected(at, end))
    }
    expect(w.slices).toEqual([])
    expect(w.streams()).toBe(1)
    await r.close()
  })

  it('keeps the chunks and the hash catching up from byte 0 on two streams', async () => {
    const w = watched(50_000)
    const r = createBlobRangeReader(w.blob)
    // A resumed upload: chunks from 20 000, the file's hash from 0, interleaved.
    for (let i = 0; i < 3; i++) {
      const chunk = 20_000 + i * 5_000
      expect([...(await r.read(chunk, chunk + 5_000))]).toEqual(expected(chunk, chunk + 5_000))
      expect([...(await r.read(i * 5_000, i * 5_000 + 5_000))]).toEqual(
        expected(i * 5_000, i * 5_000 + 5_000),
      )
    }
    expect(w.slices).toEqual([[20_000, undefined]])
    await r.close()
  })

  it('reads `once` ranges (a proof of possession) as slices of just them, at once, leaving the streams alone', async () => {
    const w = watched(200_000)
    const r = createBlobRangeReader(w.blob)
    await r.read(0, 10_000)
    const ranges: Array<[number, number]> = [
      [150_000, 150_100],
      [20_000, 20_100],
      [199_900, 200_000],
    ]
    const got = await Promise.all(ranges.map(([a, b]) => r.read(a, b, { once: true })))
    expect(got.map((b) => [...b])).toEqual(ranges.map(([a, b]) => expected(a, b)))
    expect(w.slices).toEqual(ranges)
    expect(w.streams()).toBe(1)
    // The forward stream goes on where it was.
    expect([...(await r.read(10_000, 20_000))]).toEqual(expected(10_000, 20_000))
    expect(w.streams()).toBe(1)
    await r.close()
  })

  it('reads a chunk sent again as a one-off slice of just that range', async () => {
    const w = watched(30_000)
    const r = createBlobRangeReader(w.blob)
    await r.read(0, 10_000)
    await r.read(10_000, 20_000)
    expect([...(await r.read(10_000, 20_000))]).toEqual(expected(10_000, 20_000))
    expect(w.slices).toEqual([[10_000, 20_000]])
    // The stream goes on where it was.
    expect([...(await r.read(20_000, 30_000))]).toEqual(expected(20_000, 30_000))
    expect(w.streams()).toBe(1)
    await r.close()
  })

  it('serves overlapping calls one after the other, each with its own bytes', async () => {
    const r = createBlobRangeReader(new Blob([bytes(40_000)]))
    const got = await Promise.all([0, 1, 2, 3].map((i) => r.read(i * 10_000, i * 10_000 + 10_000)))
    got.forEach((g, i) => {
      expect([...g]).toEqual(expected(i * 10_000, i * 10_000 + 10_000))
    })
    await r.close()
  })

  it('fails a range past the end of the Blob', async () => {
    const r = createBlobRangeReader(new Blob([bytes(100)]))
    await expect(r.read(50, 200)).rejects.toThrow(/ended at byte 100/)
    expect([...(await r.read(0, 10))]).toEqual(expected(0, 10))
    await r.close()
  })
})
