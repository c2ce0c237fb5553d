import { describe, expect, it } from 'vitest'
import { identityOfBytes } from '../../test/helpers/files.js'
import { createBrowserIdentityHasher } from '../identity/browser/worker-pool.js'
import { createBlobSource } from './blob-source.js'

const MiB = 1024 * 1024

const bytes = Uint8Array.from({ length: 9 * MiB + 3 }, (_, i) => (i * 31) & 0xff)
const source = () => createBlobSource(new Blob([bytes]), { name: 'f.bin', type: '' })

// Pages where workers cannot run still get the identity, on the page's thread (the worker pool
// itself runs in Chromium: e2e/resume-by-content.e2e.test.ts and `npm run bench -- --only hash`).
describe('browser identity without workers', () => {
  it('falls back to the page thread when new Worker throws (a CSP without worker-src)', async () => {
    let tried = 0
    const hasher = createBrowserIdentityHasher({
      workerThreshold: 0,
      createWorker: () => {
        tried++
        throw new Error('Refused to create a worker')
      },
    })
    const id = await hasher.hash({ source: source(), signal: new AbortController().signal })
    expect(Buffer.from(id)).toEqual(identityOfBytes(bytes))
    expect(tried).toBe(1)
    expect(hasher.workers).toBe(0)
    // Workers are known not to start here: the next file does not try again.
    await hasher.hash({ source: source(), signal: new AbortController().signal })
    expect(tried).toBe(1)
  })

  it('falls back when the worker script fails to load, and terminates it', async () => {
    let terminated = 0
    const hasher = createBrowserIdentityHasher({
      workers: 2,
      workerThreshold: 0,
      createWorker: () => {
        const w = {
          onmessage: null,
          onerror: null as null | ((e: { message: string; preventDefault(): void }) => void),
          postMessage: () => {},
          terminate: () => {
            terminated++
          },
        }
        queueMicrotask(() =>
          w.onerror?.({ message: 'Failed to fetch identity-worker.js', preventDefault() {} }),
        )
        return w as unknown as Worker
      },
    })
    const id = await hasher.hash({ source: source(), signal: new AbortController().signal })
    expect(Buffer.from(id)).toEqual(identityOfBytes(bytes))
    expect(terminated).toBe(2)
    expect(hasher.workers).toBe(0)
  })
})
