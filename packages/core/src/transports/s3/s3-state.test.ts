import { describe, expect, it } from 'vitest'
import { parseS3State } from './s3-state.js'

const good = { key: 'k/a.bin', uploadId: 'U1', partSize: 5, parts: [{ partNumber: 1, size: 5, etag: '"e"' }] }

describe('parseS3State', () => {
  it('keeps a valid state, dropping unknown fields', () => {
    expect(parseS3State({ ...good, extra: 1 })).toEqual(good)
    expect(parseS3State({ ...good, parts: [] })).toEqual({ ...good, parts: [] })
  })

  it.each([
    ['null', null],
    ['no key', { ...good, key: '' }],
    ['no upload id', { ...good, uploadId: undefined }],
    ['a bad part size', { ...good, partSize: 0 }],
    ['parts not a list', { ...good, parts: {} }],
    ['a part without ETag', { ...good, parts: [{ partNumber: 1, size: 5 }] }],
    ['part number 0', { ...good, parts: [{ partNumber: 0, size: 5, etag: 'e' }] }],
  ])('refuses %s', (_what, state) => {
    expect(parseS3State(state)).toBeUndefined()
  })
})
