import { describe, expect, it } from 'vitest'
import { parseChecksumHeader, parseConcatHeader, parseNonNegativeInt } from './headers.js'

describe('integer headers', () => {
  it.each(['0', '1', '9007199254740991'])('accepts %s', (v) => {
    expect(parseNonNegativeInt(v, 'Upload-Offset')).toBe(Number(v))
  })
  it.each(['-1', '+1', '1.5', '0x10', ' 1', '', 'abc', '9007199254740992', '99999999999999999999'])(
    'rejects %j',
    (v) => {
      expect(() => parseNonNegativeInt(v, 'Upload-Offset')).toThrow(/Upload-Offset/)
    },
  )
  it('requires the header', () => {
    expect(() => parseNonNegativeInt(undefined, 'Upload-Length')).toThrow(/Upload-Length header is required/)
  })
})

describe('Upload-Checksum', () => {
  it('parses algorithm and digest', () => {
    const c = parseChecksumHeader('SHA1 Kq5sNclPz7QV2+lfQIuc6R7oRu0=')
    expect(c.algorithm).toBe('sha1')
    expect(c.digest.length).toBe(20)
  })
  it.each(['sha1', 'sha1 !!', 'sha1 a b'])('rejects %j', (v) => {
    expect(() => parseChecksumHeader(v)).toThrow(/Upload-Checksum/)
  })
})

describe('Upload-Concat', () => {
  it('parses partial and final', () => {
    expect(parseConcatHeader('partial')).toEqual({ kind: 'partial' })
    expect(parseConcatHeader('final;/files/a http://x/files/b')).toEqual({
      kind: 'final',
      urls: ['/files/a', 'http://x/files/b'],
    })
  })
  it('rejects junk and empty finals', () => {
    expect(() => parseConcatHeader('whole')).toThrow(/partial/)
    expect(() => parseConcatHeader('final;')).toThrow(/no partial/)
  })
})
