import { describe, expect, it } from 'vitest'
import { formatBytes, formatSpeed } from './format.js'

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1536, '1.5 KiB'],
    [64 * 1024, '64 KiB'],
    [8 * 1024 * 1024, '8.0 MiB'],
    [3 * 1024 ** 3, '3.0 GiB'],
  ])('%d → %s (binary multiples, labelled as such)', (n, text) => {
    expect(formatBytes(n)).toBe(text)
  })
  it('speed', () => expect(formatSpeed(2 * 1024 * 1024)).toBe('2.0 MiB/s'))
})
