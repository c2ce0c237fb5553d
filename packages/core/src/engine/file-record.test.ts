import { describe, expect, it } from 'vitest'
import { createRecord, snapshotOf, uploadMetadata } from './file-record.js'

describe('upload metadata', () => {
  const rec = createRecord(
    'id1',
    null,
    { name: 'ü.png', size: 10, type: 'image/png' },
    { album: 'x', filename: 'renamed.png' },
  )

  it('adds filename and filetype; per-file metadata wins over uploader metadata, which wins over defaults', () => {
    expect(uploadMetadata(rec, { album: 'shared', owner: 'me', filetype: 'forced' })).toEqual({
      filename: 'renamed.png',
      filetype: 'forced',
      album: 'x',
      owner: 'me',
    })
  })

  it('omits filetype when the type is unknown', () => {
    const r = createRecord('id2', null, { name: 'a', size: 1, type: '' }, {})
    expect(uploadMetadata(r, {})).toEqual({ filename: 'a' })
  })
})

describe('snapshots', () => {
  it('are frozen and cached until invalidated', () => {
    const rec = createRecord('id', null, { name: 'a', size: 200, type: '' }, {})
    rec.bytesSent = 50
    const s1 = snapshotOf(rec, () => ({}))
    expect(Object.isFrozen(s1)).toBe(true)
    expect(s1.percent).toBe(25)
    expect(snapshotOf(rec, () => ({}))).toBe(s1)
    rec.bytesSent = 100
    delete rec.snapshot
    expect(snapshotOf(rec, () => ({})).percent).toBe(50)
  })
})
