import { describe, expect, it } from 'vitest'
import { choosePartSize, MAX_PARTS, planParts } from './part-planner.js'

const MiB = 1024 * 1024

describe('part planner', () => {
  it('keeps the preferred size while the file fits in 10 000 parts', () => {
    expect(choosePartSize(40 * MiB, 5 * MiB)).toBe(5 * MiB)
    expect(choosePartSize(1, 8 * MiB)).toBe(8 * MiB)
  })
  it('never goes below 5 MiB', () => {
    expect(choosePartSize(40 * MiB, MiB)).toBe(5 * MiB)
  })
  it('grows (in whole MiB) so a huge file needs at most 10 000 parts', () => {
    const size = 200 * 1024 * MiB // 200 GiB
    const partSize = choosePartSize(size, 5 * MiB)
    expect(partSize % MiB).toBe(0)
    expect(Math.ceil(size / partSize)).toBeLessThanOrEqual(MAX_PARTS)
    expect(planParts(size, partSize).length).toBeLessThanOrEqual(MAX_PARTS)
  })
  it('plans contiguous 1-based parts, the last one shorter', () => {
    expect(planParts(11 * MiB, 5 * MiB)).toEqual([
      { partNumber: 1, start: 0, end: 5 * MiB },
      { partNumber: 2, start: 5 * MiB, end: 10 * MiB },
      { partNumber: 3, start: 10 * MiB, end: 11 * MiB },
    ])
    expect(planParts(10 * MiB, 5 * MiB)).toHaveLength(2)
  })
  it('an empty file is one empty part', () => {
    expect(planParts(0, 5 * MiB)).toEqual([{ partNumber: 1, start: 0, end: 0 }])
  })
})
