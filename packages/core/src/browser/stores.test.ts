import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { checkpointStoreSuite, sampleCheckpoint } from '../test-support/store-suite.js'
import { createIndexedDbCheckpointStore } from './indexed-db-store.js'
import { createLocalStorageCheckpointStore } from './local-storage-store.js'

let n = 0

/** Puts a value straight into the store's IndexedDB object store, as an older Shuttle did. */
function putRaw(dbName: string, key: string, value: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(dbName, 1)
    open.onupgradeneeded = () => open.result.createObjectStore('checkpoints')
    open.onerror = () => reject(open.error)
    open.onsuccess = () => {
      const tx = open.result.transaction('checkpoints', 'readwrite')
      tx.objectStore('checkpoints').put(value, key)
      tx.oncomplete = () => {
        open.result.close()
        resolve()
      }
      tx.onerror = () => reject(tx.error)
    }
  })
}

describe('localStorage checkpoint store', () => {
  checkpointStoreSuite(
    () => {
      localStorage.clear()
      return createLocalStorageCheckpointStore()
    },
    async (_store, fingerprint, value) =>
      localStorage.setItem(`shuttle::${fingerprint}`, JSON.stringify(value)),
  )

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
  let current = ''
  checkpointStoreSuite(
    () => {
      current = `shuttle-test-${++n}`
      return createIndexedDbCheckpointStore(current)
    },
    (_store, fingerprint, value) => putRaw(current, fingerprint, value),
  )

  it('persists across store instances on the same database', async () => {
    const name = `shuttle-test-${++n}`
    await createIndexedDbCheckpointStore(name).set('fp', sampleCheckpoint())
    expect(await createIndexedDbCheckpointStore(name).get('fp')).toEqual(sampleCheckpoint())
  })
})
