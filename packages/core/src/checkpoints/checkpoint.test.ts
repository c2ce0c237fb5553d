import { describe, expect, it } from 'vitest'
import { legacyCheckpoints, sampleCheckpoint } from '../test-support/store-suite.js'
import { parseCheckpoint } from './checkpoint.js'

describe('parseCheckpoint', () => {
  it.each([
    null,
    1,
    'x',
    [],
    {},
    { transport: 'tus', size: '1', endpoint: 'e', metadata: {}, state: {} },
    { transport: 'tus', size: 1, endpoint: 'e', metadata: null, state: {} },
    { transport: 'tus', size: 1, endpoint: 'e', metadata: { a: 1 }, state: {} },
    { transport: 'tus', size: -1, endpoint: 'e', metadata: {}, state: {} },
    { transport: '', size: 1, endpoint: 'e', metadata: {}, state: {} },
    { transport: 'tus', size: 1, endpoint: 'e', url: 5, metadata: {}, state: {} },
    { size: '1', endpoint: 'e', metadata: {} }, // an old checkpoint that was already malformed
  ])('rejects %j', (v) => expect(parseCheckpoint(v)).toBeUndefined())

  it('keeps a valid checkpoint as it is', () => {
    expect(parseCheckpoint(sampleCheckpoint())).toEqual(sampleCheckpoint())
  })

  it('keeps a well-formed content identity (32 bytes, base64) and drops anything else', () => {
    const identity = Buffer.alloc(32, 7).toString('base64')
    expect(parseCheckpoint({ ...sampleCheckpoint(), identity })?.identity).toBe(identity)
    for (const bad of ['', 'abc', Buffer.alloc(16).toString('base64'), 42])
      expect(parseCheckpoint({ ...sampleCheckpoint(), identity: bad })).not.toHaveProperty('identity')
  })

  it('a transport that keeps no state gets null back (JSON drops undefined)', () => {
    const { state: _dropped, ...rest } = sampleCheckpoint()
    expect(parseCheckpoint(JSON.parse(JSON.stringify(rest)))?.state).toBeNull()
  })

  it.each(legacyCheckpoints)(
    "turns a $name checkpoint of an older Shuttle into today's shape",
    ({ stored, reads }) => {
      expect(parseCheckpoint(stored)).toEqual(reads)
    },
  )
})
