import { describe, expect, it } from 'vitest'
import { checkpointStoreSuite } from '../test-support/store-suite.js'
import { createMemoryCheckpointStore, isCheckpoint } from './memory-store.js'

describe('memory checkpoint store', () => {
  checkpointStoreSuite(() => createMemoryCheckpointStore())
})

describe('isCheckpoint', () => {
  it.each([
    null,
    1,
    'x',
    {},
    { size: '1', endpoint: 'e', metadata: {} },
    { size: 1, endpoint: 'e', metadata: null },
  ])('rejects %j', (v) => expect(isCheckpoint(v)).toBe(false))
  it('accepts a minimal checkpoint', () => {
    expect(isCheckpoint({ size: 1, endpoint: 'e', metadata: {} })).toBe(true)
  })
})
