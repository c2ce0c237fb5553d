import { describe, expect, it } from 'vitest'
import { filterAccepted, matchesAccept } from './accept.js'

describe('matchesAccept', () => {
  it.each([
    [{ name: 'a.png', type: 'image/png' }, 'image/*', true],
    [{ name: 'a.PNG', type: '' }, '.png', true],
    [{ name: 'a.pdf', type: 'application/pdf' }, 'application/pdf', true],
    [{ name: 'a.pdf', type: 'application/pdf' }, 'image/*,.png', false],
    [{ name: 'a.txt', type: 'text/plain' }, ' .doc,, text/plain ', true],
    [{ name: 'a.txt', type: 'text/plain' }, '', true],
    [{ name: 'imagefile', type: 'application/image' }, 'image/*', false],
  ])('%o with %s → %s', (file, accept, ok) => {
    expect(matchesAccept(file, accept)).toBe(ok)
  })
  it('splits accepted and rejected', () => {
    const r = filterAccepted(
      [
        { name: 'a.png', type: 'image/png' },
        { name: 'b.txt', type: 'text/plain' },
      ],
      '.png',
    )
    expect(r.accepted.map((f) => f.name)).toEqual(['a.png'])
    expect(r.rejected.map((f) => f.name)).toEqual(['b.txt'])
  })
})
