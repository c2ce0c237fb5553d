import { describe, expect, it } from 'vitest'
import { typeAllowed } from './token-limits.js'

describe('typeAllowed', () => {
  it.each([
    [['image/*'], { filetype: 'image/png' }, true],
    [['image/*'], { filetype: 'IMAGE/JPEG; q=1' }, true],
    [['image/*'], { filetype: 'text/html', filename: 'a.png' }, false],
    [['image/png'], { filetype: 'image/pngx' }, false],
    [['.pdf'], { filename: 'Report.PDF' }, true],
    [['.pdf'], { filename: '.pdf' }, false],
    [['.pdf'], { name: 'x.pdf.exe' }, false],
    [['image/*', '.pdf'], { filetype: 'application/pdf', filename: 'r.pdf' }, true],
    [['image/*'], {}, false],
  ] as const)('%j with %j → %s', (types, metadata, expected) => {
    expect(typeAllowed(types, metadata)).toBe(expected)
  })
})
