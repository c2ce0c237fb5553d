import { UploadError } from '@shuttle/protocol'
import { parseCheckpoint } from '../checkpoints/checkpoint.js'
import type { Checkpoint, CheckpointStore } from '../ports.js'

const STORE = 'checkpoints'

const wrap = <T>(req: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    req.onsuccess = () => resolve(req.result)
    req.onerror = () =>
      reject(new UploadError('ERR_INTERNAL', 'IndexedDB request failed', { cause: req.error }))
  })

/**
 * Checkpoints in IndexedDB (survive reloads, no 5 MB localStorage quota). One database, one object
 * store keyed by fingerprint; the connection opens lazily on first use.
 */
export function createIndexedDbCheckpointStore(
  dbName = 'shuttle',
  factory: IDBFactory = globalThis.indexedDB,
): CheckpointStore {
  let db: Promise<IDBDatabase> | undefined
  const open = () => {
    db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const req = factory.open(dbName, 1)
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE)
      }
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => {
        db = undefined
        reject(new UploadError('ERR_INTERNAL', 'Cannot open IndexedDB', { cause: req.error }))
      }
    })
    return db
  }
  const tx = async (mode: IDBTransactionMode) => (await open()).transaction(STORE, mode).objectStore(STORE)
  return {
    async get(fp) {
      return parseCheckpoint(await wrap<unknown>((await tx('readonly')).get(fp)))
    },
    async set(fp, cp) {
      await wrap((await tx('readwrite')).put(JSON.parse(JSON.stringify(cp)), fp))
    },
    async delete(fp) {
      await wrap((await tx('readwrite')).delete(fp))
    },
    async list() {
      const store = await tx('readonly')
      const [keys, values] = await Promise.all([wrap(store.getAllKeys()), wrap(store.getAll())])
      const out: Array<{ fingerprint: string; checkpoint: Checkpoint }> = []
      keys.forEach((key, i) => {
        const checkpoint = parseCheckpoint(values[i])
        if (typeof key === 'string' && checkpoint) out.push({ fingerprint: key, checkpoint })
      })
      return out
    },
  }
}
