import { describe, expect, it } from 'vitest'
import { encodeMetadata, parseMetadata } from './metadata.js'

describe('Upload-Metadata', () => {
  it('round-trips UTF-8 values and empty values', () => {
    const meta = { filename: '报告 final.pdf', filetype: 'application/pdf', flag: '' }
    const header = encodeMetadata(meta)
    expect(header).toContain('flag')
    expect(parseMetadata(header)).toEqual(meta)
  })

  it('accepts the spec example', () => {
    expect(parseMetadata('filename d29ybGRfZG9taW5hdGlvbl9wbGFuLnBkZg==,is_confidential')).toEqual({
      filename: 'world_domination_plan.pdf',
      is_confidential: '',
    })
  })

  it.each([
    ['bad base64', 'name !!!!', /not valid base64/],
    ['base64 with wrong padding', 'name YQ=', /not valid base64/],
    ['duplicate keys', 'a YQ==,a Yg==', /appears twice/],
    ['empty key', ',a YQ==', /empty/],
    ['two spaces', 'a YQ== Yg==', /more than one space/],
    ['control char in key', 'a\u0001b YQ==', /forbidden/],
  ])('rejects %s', (_name, header, message) => {
    expect(() => parseMetadata(header)).toThrow(message)
  })

  it('enforces the size and pair limits', () => {
    expect(() => parseMetadata(`k ${'QUFB'.repeat(3000)}`)).toThrow(/limit is 8192/)
    const many = Array.from({ length: 70 }, (_, i) => `k${i}`).join(',')
    expect(() => parseMetadata(many)).toThrow(/the limit is 64/)
  })

  it('does not let __proto__ pollute anything', () => {
    const parsed = parseMetadata('__proto__ YQ==')
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toBe('a')
    expect(({} as Record<string, unknown>).a).toBeUndefined()
  })
})
