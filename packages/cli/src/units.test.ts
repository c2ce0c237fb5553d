import { describe, expect, it } from 'vitest'
import { formatBytes, parseDuration, parseSize } from './units.js'

describe('parseSize', () => {
  it.each([
    ['0', 0],
    ['1048576', 1048576],
    ['8MiB', 8 * 1024 ** 2],
    ['8 mib', 8 * 1024 ** 2],
    ['2GB', 2e9],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['500k', 512000],
  ])('%s → %d', (input, bytes) => {
    expect(parseSize(input)).toBe(bytes)
  })
  it.each(['', 'abc', '-1', '8XB', '1e9', '9999999999TiB'])('rejects %j', (input) => {
    expect(() => parseSize(input, 'max-size')).toThrow(/--max-size/)
  })
})

describe('parseDuration', () => {
  it.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['250ms', 250],
  ])('%s → %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms)
  })
  it.each(['', 'soon', '0s', '-5m', '5w'])('rejects %j', (input) => {
    expect(() => parseDuration(input, 'expire-after')).toThrow(/--expire-after/)
  })
})

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KiB')
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB')
  })
})
