import { describe, expect, it } from 'vitest'
import { fitMiddle, widthOf } from './width.js'

describe('widthOf', () => {
  it('counts wide characters twice and ASCII once', () => {
    expect(widthOf('clip.mp4')).toBe(8)
    expect(widthOf('视频.mp4')).toBe(8)
    expect(widthOf('█░✔→…')).toBe(5)
  })
})

describe('fitMiddle', () => {
  it('pads a short name to the width', () => {
    expect(fitMiddle('a.bin', 8)).toBe('a.bin   ')
  })
  it('cuts a long name in the middle and keeps its extension', () => {
    const out = fitMiddle('holiday-2026-06-01-very-long-name.mp4', 16)
    expect(out).toBe('holiday-…ame.mp4')
    expect(widthOf(out)).toBe(16)
  })
  it('never splits a wide character and always fills the width exactly', () => {
    for (let w = 1; w <= 12; w++) {
      const out = fitMiddle('一二三四五六七八九十.txt', w)
      expect(widthOf(out)).toBe(w)
      expect(out).toContain('…')
    }
  })
})
