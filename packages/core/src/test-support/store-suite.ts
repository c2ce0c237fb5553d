import { expect, it } from 'vitest'
import type { Checkpoint, CheckpointStore } from '../ports.js'

export const sampleCheckpoint = (url = 'http://x/files/1'): Checkpoint => ({
  transport: 'tus',
  url,
  size: 10,
  endpoint: 'http://x/files',
  metadata: { filename: 'a' },
  state: {},
  createdAt: 1,
  updatedAt: 2,
})

/** Checkpoints as Shuttle wrote them before transports owned their state, and what they read as now. */
export const legacyCheckpoints: ReadonlyArray<{ name: string; stored: unknown; reads: Checkpoint }> = [
  {
    name: 'tus',
    stored: {
      url: 'http://x/files/9',
      size: 10,
      endpoint: 'http://x/files',
      metadata: { filename: 'a' },
      createdAt: 1,
      updatedAt: 2,
    },
    reads: { ...sampleCheckpoint('http://x/files/9') },
  },
  {
    name: 'tus concatenation',
    stored: {
      size: 10,
      endpoint: 'http://x/files',
      parts: [
        { start: 0, end: 5, url: 'http://x/files/p1' },
        { start: 5, end: 10 },
      ],
      metadata: { filename: 'a' },
      createdAt: 1,
      updatedAt: 2,
    },
    reads: {
      transport: 'tus',
      size: 10,
      endpoint: 'http://x/files',
      metadata: { filename: 'a' },
      state: {
        parts: [
          { start: 0, end: 5, url: 'http://x/files/p1' },
          { start: 5, end: 10 },
        ],
      },
      createdAt: 1,
      updatedAt: 2,
    },
  },
  {
    name: 's3',
    stored: {
      url: 'http://x/s3/multipart/U1?key=k',
      size: 10,
      endpoint: 'http://x',
      s3: { key: 'k', uploadId: 'U1', partSize: 5, parts: [{ partNumber: 1, size: 5, etag: '"e1"' }] },
      metadata: { filename: 'a' },
      createdAt: 1,
      updatedAt: 2,
    },
    reads: {
      transport: 's3',
      url: 'http://x/s3/multipart/U1?key=k',
      size: 10,
      endpoint: 'http://x',
      metadata: { filename: 'a' },
      state: { key: 'k', uploadId: 'U1', partSize: 5, parts: [{ partNumber: 1, size: 5, etag: '"e1"' }] },
      createdAt: 1,
      updatedAt: 2,
    },
  },
]

/**
 * The behaviour every CheckpointStore shares; each store's test file runs it. `writeRaw` stores a
 * value the way an older Shuttle did (bypassing `set`), for stores that persist across versions.
 */
export function checkpointStoreSuite(
  make: () => Promise<CheckpointStore> | CheckpointStore,
  writeRaw?: (store: CheckpointStore, fingerprint: string, value: unknown) => Promise<void>,
): void {
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
      state: { parts: [{ start: 0, end: 10, url: 'p' }] },
    })
    expect((await store.get('fp:1'))?.url).toBe('http://x/files/2')
    expect((await store.get('fp:1'))?.state).toEqual({ parts: [{ start: 0, end: 10, url: 'p' }] })
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

  if (writeRaw) {
    it.each(legacyCheckpoints)(
      "reads a $name checkpoint an older Shuttle stored, in today's shape",
      async ({ stored, reads }) => {
        const store = await make()
        await writeRaw(store, 'old', stored)
        expect(await store.get('old')).toEqual(reads)
        expect((await store.list?.())?.find((e) => e.fingerprint === 'old')?.checkpoint).toEqual(reads)
      },
    )

    it('treats a stored value with a malformed envelope as no checkpoint', async () => {
      const store = await make()
      await writeRaw(store, 'bad', { transport: 'tus', size: 'ten', endpoint: 'e', metadata: {}, state: {} })
      expect(await store.get('bad')).toBeUndefined()
    })
  }
}
