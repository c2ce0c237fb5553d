import { CHALLENGE_MAX_BYTES } from '@shuttle/protocol'
import { describe, expect, it } from 'vitest'
import { Challenges, pickRanges } from './challenges.js'

describe('pickRanges', () => {
  it('asks for the whole of a small file', () => {
    expect(pickRanges(10)).toEqual([{ start: 0, end: 9 }])
    expect(pickRanges(CHALLENGE_MAX_BYTES)).toEqual([{ start: 0, end: CHALLENGE_MAX_BYTES - 1 }])
  })

  it('asks for at most 1 MiB of a large file, inside it, including its last byte, at varying places', () => {
    const size = 1024 ** 3
    const a = pickRanges(size)
    const total = a.reduce((n, r) => n + r.end - r.start + 1, 0)
    expect(total).toBeLessThanOrEqual(CHALLENGE_MAX_BYTES)
    expect(a.every((r) => r.start >= 0 && r.end < size && r.start <= r.end)).toBe(true)
    expect(a.some((r) => r.end === size - 1)).toBe(true)
    expect(pickRanges(size)).not.toEqual(a)
  })
})

describe('Challenges', () => {
  it('gives a challenge once, and not after its lifetime', () => {
    const c = new Challenges()
    const issued = c.issue('a'.repeat(20), 'src', 100, 1000)
    expect(c.take('a'.repeat(20), 1001)).toBe(issued)
    expect(c.take('a'.repeat(20), 1002)).toBeUndefined()
    c.issue('b'.repeat(20), 'src', 100, 1000)
    expect(c.take('b'.repeat(20), 1000 + 60_001)).toBeUndefined()
  })

  it('draws a different nonce each time', () => {
    const c = new Challenges()
    expect(c.issue('a'.repeat(20), 's', 5).nonce).not.toEqual(c.issue('b'.repeat(20), 's', 5).nonce)
  })
})
