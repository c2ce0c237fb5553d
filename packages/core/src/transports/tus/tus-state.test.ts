import { describe, expect, it } from 'vitest'
import { parseTusState } from './tus-state.js'

describe('parseTusState', () => {
  it('a single upload keeps no state ({} or, from JSON, null)', () => {
    expect(parseTusState({}, 10)).toEqual({})
    expect(parseTusState(null, 10)).toEqual({})
  })

  it('keeps parts that tile the file', () => {
    const parts = [
      { start: 0, end: 4, url: 'http://x/p1' },
      { start: 4, end: 10 },
    ]
    expect(parseTusState({ parts }, 10)).toEqual({ parts })
  })

  it.each([
    ['not an object', 'parts'],
    ['parts not a list', { parts: 'x' }],
    ['no parts', { parts: [] }],
    [
      'a gap',
      {
        parts: [
          { start: 0, end: 4 },
          { start: 5, end: 10 },
        ],
      },
    ],
    [
      'an overlap',
      {
        parts: [
          { start: 0, end: 6 },
          { start: 5, end: 10 },
        ],
      },
    ],
    ['short of the size', { parts: [{ start: 0, end: 9 }] }],
    [
      'an empty part',
      {
        parts: [
          { start: 0, end: 0 },
          { start: 0, end: 10 },
        ],
      },
    ],
    ['a bad url', { parts: [{ start: 0, end: 10, url: 3 }] }],
    ['a fraction', { parts: [{ start: 0, end: 9.5 }] }],
  ])('refuses %s', (_what, state) => {
    expect(parseTusState(state, 10)).toBeUndefined()
  })
})
