import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { defaultFingerprint } from '../fingerprint.js'
import { createNodeFileReader } from './node-file-reader.js'

const endpoint = 'http://127.0.0.1:1080/files'
const signal = () => new AbortController().signal

async function keyOf(data: Uint8Array): Promise<string> {
  const src = await createNodeFileReader().open({ data, name: 'same-name.bin' }, signal())
  return defaultFingerprint(src.info, endpoint)
}

describe('content fingerprint of in-memory bytes', () => {
  it('is an xxh128 of the whole content, prefixed so it cannot be taken for an older sha256 key', async () => {
    // The published XXH3-128 (seed 0) of the empty input.
    const empty = await createNodeFileReader().open(new Uint8Array(0), signal())
    expect(empty.info.contentHash).toBe('xxh128:99aa06d3014798d86001c324468d497f')
    const src = await createNodeFileReader().open(new Uint8Array([1, 2, 3]), signal())
    expect(src.info.contentHash).toMatch(/^xxh128:[0-9a-f]{32}$/)
    expect(await keyOf(new Uint8Array([1, 2, 3]))).toBe(`shuttle:bytes:${src.info.contentHash}:3:${endpoint}`)
  })

  it('same bytes give the same key, in another buffer and another reader', async () => {
    const a = randomBytes(3 * 1024 * 1024 + 17)
    const b = Buffer.from(a) // a copy, not the same memory
    expect(await keyOf(b)).toBe(await keyOf(a))
    // A view into a larger buffer hashes only its own bytes.
    const big = Buffer.concat([randomBytes(100), a, randomBytes(100)])
    expect(await keyOf(big.subarray(100, 100 + a.length))).toBe(await keyOf(a))
  })

  it('one different byte anywhere, even the last, gives a different key', async () => {
    const a = randomBytes(2 * 1024 * 1024)
    const keys = new Set([await keyOf(a)])
    for (const at of [0, a.length >> 1, a.length - 1]) {
      const b = Buffer.from(a)
      b[at] = (b[at] ?? 0) ^ 0x01
      keys.add(await keyOf(b))
    }
    expect(keys.size).toBe(4)
  })

  it('hashes concurrent opens independently (one shared hasher)', async () => {
    const inputs = Array.from({ length: 20 }, (_, i) => randomBytes(64 * 1024 + i))
    const together = await Promise.all(inputs.map(keyOf))
    const oneByOne: string[] = []
    for (const d of inputs) oneByOne.push(await keyOf(d))
    expect(together).toEqual(oneByOne)
    expect(new Set(together).size).toBe(inputs.length)
  })
})
