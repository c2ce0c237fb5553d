import { describe, expect, it } from 'vitest'
import { parseRange } from './range.js'

describe('parseRange', () => {
  it.each([
    [undefined, undefined],
    ['bytes=0-9', { start: 0, end: 10 }],
    ['bytes=5-', { start: 5, end: 100 }],
    ['bytes=90-200', { start: 90, end: 100 }],
    ['bytes=-10', { start: 90, end: 100 }],
    ['bytes=-1000', { start: 0, end: 100 }],
    ['bytes=100-', 'unsatisfiable'],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=5-1', undefined],
    ['bytes=0-1,5-6', undefined],
    ['items=0-1', undefined],
    ['bytes=-', undefined],
    ['bytes=0x10-', undefined],
  ])('%j → %j', (header, expected) => {
    expect(parseRange(header, 100)).toEqual(expected)
  })
})
