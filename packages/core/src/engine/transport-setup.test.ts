import { describe, expect, it } from 'vitest'
import { sampleCheckpoint } from '../test-support/store-suite.js'
import type { Transport } from '../transports/transport.js'
import { usableCheckpoint } from './transport-setup.js'

const transport = (parseState: Transport['parseState'], name = 'tus'): Transport => ({
  name,
  resumable: true,
  parallelChunks: false,
  parseState,
  upload: async () => ({ url: 'u' }),
})

describe('usableCheckpoint', () => {
  const cp = sampleCheckpoint() // tus, size 10, endpoint http://x/files
  const accept = transport((state) => ({ seen: state }))

  it("hands the transport's validated state back in the checkpoint", () => {
    expect(usableCheckpoint(accept, cp, 10, 'http://x/files')).toEqual({ ...cp, state: { seen: {} } })
  })

  it('is not this upload: another transport, size or endpoint', () => {
    expect(
      usableCheckpoint(
        transport(() => ({}), 's3'),
        cp,
        10,
        'http://x/files',
      ),
    ).toBeUndefined()
    expect(usableCheckpoint(accept, cp, 11, 'http://x/files')).toBeUndefined()
    expect(usableCheckpoint(accept, cp, 10, 'http://y/files')).toBeUndefined()
  })

  it('a state the transport refuses, or a validator that throws, means a fresh upload', () => {
    expect(
      usableCheckpoint(
        transport(() => undefined),
        cp,
        10,
        'http://x/files',
      ),
    ).toBeUndefined()
    const throws = transport(() => {
      throw new Error('bad')
    })
    expect(usableCheckpoint(throws, cp, 10, 'http://x/files')).toBeUndefined()
  })
})
