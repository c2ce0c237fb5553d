import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { checkpointStoreSuite, sampleCheckpoint } from '../test-support/store-suite.js'
import { createIndexedDbCheckpointStore } from './indexed-db-store.js'
import { createLocalStorageCheckpointStore } from './local-storage-store.js'

let n = 0

describe('localStorage checkpoint store', () => {
  checkpointStoreSuite(() => {
    localStorage.clear()
    return createLocalStorageCheckpointStore()
  })

  it('ignores foreign keys and malformed JSON', async () => {
    localStorage.clear()
    localStorage.setItem('other', '1')
    localStorage.setItem('shuttle::bad', '{nope')
    const store = createLocalStorageCheckpointStore()
    expect(await store.get('bad')).toBeUndefined()
    await store.set('good', sampleCheckpoint())
    expect((await store.list?.())?.map((e) => e.fingerprint)).toEqual(['good'])
  })
})

describe('IndexedDB checkpoint store', () => {
  checkpointStoreSuite(() => createIndexedDbCheckpointStore(`shuttle-test-${++n}`))

  it('persists across store instances on the same database', async () => {
    const name = `shuttle-test-${++n}`
    await createIndexedDbCheckpointStore(name).set('fp', sampleCheckpoint())
    expect(await createIndexedDbCheckpointStore(name).get('fp')).toEqual(sampleCheckpoint())
  })
})
