import { createHash, randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { blockDigestOf as blockDigest } from '../../test/helpers/identity.js'
import { IdentityHash } from './block-hash.js'

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest()
const LEAF = 512 * 1024

describe('IdentityHash (sha256-4m)', () => {
  it('is the SHA-256 of the empty string for 0 bytes', () => {
    expect(Buffer.from(new IdentityHash().digest())).toEqual(sha(new Uint8Array(0)))
  })

  it('hashes the block digests, however the bytes are split', () => {
    const block = 4 * 1024 * 1024
    const data = randomBytes(block * 2 + 1000)
    const expected = sha(
      Buffer.concat([
        blockDigest(data.subarray(0, block)),
        blockDigest(data.subarray(block, 2 * block)),
        blockDigest(data.subarray(2 * block)),
      ]),
    )
    const whole = new IdentityHash().update(data).digest()
    const split = new IdentityHash()
    for (let i = 0; i < data.length; i += 777_777) split.update(data.subarray(i, i + 777_777))
    expect(Buffer.from(whole)).toEqual(expected)
    expect(Buffer.from(split.digest())).toEqual(expected)
  })

  it('a file of exactly one block is the hash of that block digest, made of its eight leaves', () => {
    const data = randomBytes(4 * 1024 * 1024)
    const leaves = Array.from({ length: 8 }, (_, i) => sha(data.subarray(i * LEAF, (i + 1) * LEAF)))
    expect(Buffer.from(new IdentityHash().update(data).digest())).toEqual(sha(sha(Buffer.concat(leaves))))
  })

  it('a file smaller than a leaf is three SHA-256s deep', () => {
    const data = randomBytes(1000)
    expect(Buffer.from(new IdentityHash().update(data).digest())).toEqual(sha(sha(sha(data))))
  })

  it('a tap from a block boundary gives the sha256-4m of what follows, from the same blocks', () => {
    const block = 4 * 1024 * 1024
    const data = randomBytes(block * 3 + 5)
    const running = new IdentityHash().update(data.subarray(0, block))
    expect(new IdentityHash().update(data.subarray(0, 10)).tap()).toBeUndefined()
    const tap = running.tap()!
    running.update(data.subarray(block, 2 * block + 100))
    // Mid-block: the partial block counts as the request's last one.
    expect(Buffer.from(tap.digest())).toEqual(
      Buffer.from(new IdentityHash().update(data.subarray(block, 2 * block + 100)).digest()),
    )
    tap.close()
    running.update(data.subarray(2 * block + 100))
    expect(Buffer.from(running.digest())).toEqual(Buffer.from(new IdentityHash().update(data).digest()))
  })
})
