import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createBytesSource } from '../../sources/bytes-source.js'
import { FileDigest, pickChecksum, reprSha256 } from './verify.js'

const sha256 = async () => {
  const h = createHash('sha256')
  return { update: (b: Uint8Array) => void h.update(b), digest: () => h.digest() }
}
const bytes = Uint8Array.from({ length: 10_000_000 }, (_, i) => (i * 31 + 7) % 251)
const expected = createHash('sha256').update(bytes).digest()
const source = () => createBytesSource(bytes, { name: 'x', type: '', contentHash: 'x' })

describe('FileDigest', () => {
  it('grows from the bytes it is shown and catches up on the rest from the file', async () => {
    const d = new FileDigest(sha256, source())
    await d.seek(0)
    d.update(bytes.subarray(0, 1000))
    // A resume further on: [1000, 6 000 000) is read from the file.
    await d.seek(6_000_000)
    expect(d.at).toBe(6_000_000)
    d.update(bytes.subarray(6_000_000, 7_000_000))
    expect(Buffer.from(await d.whole(bytes.length))).toEqual(expected)
  })

  it('starts over when asked to go back (a re-sent request), since a hash cannot rewind', async () => {
    const d = new FileDigest(sha256, source())
    await d.seek(0)
    d.update(bytes.subarray(0, 5_000_000))
    await d.seek(2_000_000)
    expect(d.at).toBe(2_000_000)
    d.update(bytes.subarray(2_000_000))
    expect(Buffer.from(d.digest())).toEqual(expected)
    // Spent: a later seek starts again from 0.
    await d.seek(10)
    expect(d.at).toBe(10)
  })
})

describe('pickChecksum and reprSha256', () => {
  const caps = (ext: string, algs: string) => ({
    extensions: new Set(ext.split(',')),
    checksumAlgorithms: new Set(algs.split(',')),
  })
  it('prefers sha256, then sha1; nothing without the checksum extension or when off', () => {
    expect(pickChecksum('auto', caps('creation,checksum', 'md5,sha1,sha256'))).toBe('sha256')
    expect(pickChecksum('auto', caps('creation,checksum', 'md5,sha1'))).toBe('sha1')
    expect(pickChecksum('auto', caps('creation,checksum', 'md5'))).toBeUndefined()
    expect(pickChecksum('auto', caps('creation', 'sha256'))).toBeUndefined()
    expect(pickChecksum('sha1', caps('checksum', 'sha1,sha256'))).toBe('sha1')
    expect(pickChecksum(false, caps('checksum', 'sha256'))).toBeUndefined()
    expect(pickChecksum('auto', undefined)).toBeUndefined()
  })
  it('reads sha-256 from a Repr-Digest dictionary', () => {
    const res = (v: string | undefined) => ({ status: 200, body: '', header: () => v })
    const b64 = Buffer.from(expected).toString('base64')
    expect(Buffer.from(reprSha256(res(`sha-512=:AAAA:, sha-256=:${b64}:`))!)).toEqual(expected)
    expect(reprSha256(res('sha-512=:AAAA:'))).toBeUndefined()
    expect(reprSha256(res(undefined))).toBeUndefined()
  })
})
