import { describe, expect, it } from 'vitest'
import {
  formatChallenge,
  formatIdentity,
  formatProof,
  parseChallenge,
  parseIdentity,
  parseProof,
} from './identity.js'

describe('Upload-Identity', () => {
  it('round-trips 32 bytes', () => {
    const id = new Uint8Array(32).map((_, i) => i)
    expect(parseIdentity(formatIdentity(id))).toEqual(id)
  })
  it.each([
    ['sha256-4m=:AAAA:', 'must be 32 bytes'],
    ['sha256=:AAAA:', 'must be sha256-4m'],
    ['sha256-4m=AAAA', 'must be sha256-4m'],
    ['', 'must be sha256-4m'],
  ])('refuses %j with a sentence', (value, sentence) => {
    expect(parseIdentity(value)).toContain(sentence)
  })
})

describe('Upload-Challenge', () => {
  const nonce = new Uint8Array(32).fill(7)
  it('round-trips nonce and ranges', () => {
    const c = {
      nonce,
      ranges: [
        { start: 0, end: 9 },
        { start: 100, end: 199 },
      ],
    }
    expect(parseChallenge(formatChallenge(c), 200)).toEqual(c)
  })
  it('refuses ranges outside the file, reversed, or too large', () => {
    expect(parseChallenge(formatChallenge({ nonce, ranges: [{ start: 0, end: 200 }] }), 200)).toBeUndefined()
    expect(parseChallenge(`nonce=:${btoa('x'.repeat(32))}:, ranges="9-3"`, 200)).toBeUndefined()
    expect(
      parseChallenge(formatChallenge({ nonce, ranges: [{ start: 0, end: 2 * 1024 * 1024 }] }), 1e9),
    ).toBeUndefined()
  })
})

describe('Upload-Proof', () => {
  it('round-trips and refuses junk', () => {
    const p = new Uint8Array(32).fill(1)
    expect(parseProof(formatProof(p))).toEqual(p)
    expect(parseProof('sha-256=:AA==:')).toBeUndefined()
  })
})
