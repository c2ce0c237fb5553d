import { isUploadError } from '@shuttle/protocol'
import { describe, expect, it } from 'vitest'
import { checkPartLimit, partSizeFor } from './part-plan.js'

const MiB = 1024 * 1024

describe('partSizeFor', () => {
  it.each([
    [0, 8 * MiB],
    [100, 8 * MiB],
    [80_000 * MiB, 8 * MiB], // exactly 10 000 parts of 8 MiB
    [80_000 * MiB + 1, 9 * MiB], // one byte more: the next whole MiB
    [5 * 1024 * 1024 * MiB, 525 * MiB], // 5 TiB, the S3 maximum
  ])('size %i → %i', (size, expected) => {
    expect(partSizeFor(size, 8 * MiB, 1)).toBe(expected)
  })

  it('a deferred length plans for the maximum size', () => {
    expect(partSizeFor(undefined, 8 * MiB, 200_000 * MiB)).toBe(20 * MiB)
    expect(partSizeFor(undefined, 5 * MiB, 1000)).toBe(5 * MiB)
  })

  it('every planned size fits in 10 000 parts', () => {
    for (const size of [1, 7 * MiB, 123_456_789_012, 5 * 1024 ** 4]) {
      expect(Math.ceil(size / partSizeFor(size, 5 * MiB, 1))).toBeLessThanOrEqual(10_000)
    }
  })
})

describe('checkPartLimit', () => {
  it('allows part 10 000 and refuses part 10 001 with 413', () => {
    expect(() => checkPartLimit('u', 10_000 * MiB, MiB)).not.toThrow()
    let caught: unknown
    try {
      checkPartLimit('u', 10_000 * MiB + 1, MiB)
    } catch (err) {
      caught = err
    }
    expect(isUploadError(caught) && caught.code).toBe('ERR_TOO_LARGE')
    expect((caught as { status: number }).status).toBe(413)
  })
})
