import { describe, expect, it } from 'vitest'
import { isValidUploadId, newUploadId } from './ids.js'

describe('upload ids', () => {
  it('are 24 base64url characters (144 random bits) and unique', () => {
    const ids = new Set(Array.from({ length: 1000 }, newUploadId))
    expect(ids.size).toBe(1000)
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{24}$/)
      expect(isValidUploadId(id)).toBe(true)
    }
  })

  it.each([
    ['..%2F..%2Fetc'],
    ['../../etc/passwd'],
    ['abc/defghijklmnopqrst'],
    ['abcdefghijklmnop\0qrst'],
    ['abcdefghijklmnopq.json'],
    ['short'],
    [''],
    ['a'.repeat(65)],
    ['a'.repeat(10_000)],
  ])('rejects %j', (id) => {
    expect(isValidUploadId(id)).toBe(false)
  })
})
