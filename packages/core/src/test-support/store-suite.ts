import { expect, it } from 'vitest'
import type { Checkpoint, CheckpointStore } from '../ports.js'

export const sampleCheckpoint = (url = 'http://x/files/1'): Checkpoint => ({
  url,
  size: 10,
  endpoint: 'http://x/files',
  metadata: { filename: 'a' },
  createdAt: 1,
  updatedAt: 2,
})

/** The behaviour every CheckpointStore shares; each store's test file runs it. */
export function checkpointStoreSuite(make: () => Promise<CheckpointStore> | CheckpointStore): void {
  it('get returns undefined for an unknown fingerprint', async () => {
    const store = await make()
    expect(await store.get('nope')).toBeUndefined()
  })

  it('set, get, overwrite, delete', async () => {
    const store = await make()
    await store.set('fp:1', sampleCheckpoint())
    expect(await store.get('fp:1')).toEqual(sampleCheckpoint())
    await store.set('fp:1', {
      ...sampleCheckpoint('http://x/files/2'),
      parts: [{ start: 0, end: 10, url: 'p' }],
    })
    expect((await store.get('fp:1'))?.url).toBe('http://x/files/2')
    expect((await store.get('fp:1'))?.parts).toEqual([{ start: 0, end: 10, url: 'p' }])
    await store.delete('fp:1')
    expect(await store.get('fp:1')).toBeUndefined()
    await store.delete('fp:1') // deleting twice is fine
  })

  it('lists entries and keeps fingerprints apart', async () => {
    const store = await make()
    await store.set('a/b:c', sampleCheckpoint('1'))
    await store.set('a/b:d', sampleCheckpoint('2'))
    const listed = (await store.list?.()) ?? []
    expect(listed.map((e) => [e.fingerprint, e.checkpoint.url]).sort()).toEqual([
      ['a/b:c', '1'],
      ['a/b:d', '2'],
    ])
  })

  it('returns copies: mutating a result does not change the store', async () => {
    const store = await make()
    await store.set('k', sampleCheckpoint())
    const got = await store.get('k')
    if (got) got.metadata.filename = 'changed'
    expect((await store.get('k'))?.metadata.filename).toBe('a')
  })
}
