import { describe, expect, it } from 'vitest'
import type { Bucket } from './bucket.js'
import { writeParts } from './part-writer.js'
import { Slots } from './slots.js'

// The pipeline's memory bound, with a bucket whose UploadParts finish only when the test says so:
// bytes taken from the body but not yet stored never exceed P × (depth + 1).
const P = 1024

function slowBucket() {
  const pending: (() => void)[] = []
  const stored = new Map<number, Buffer>()
  let inFlight = 0
  let maxInFlight = 0
  const bucket = {
    uploadPart: (_key: string, _id: string, n: number, body: Uint8Array) => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      return new Promise<void>((resolve) =>
        pending.push(() => {
          stored.set(n, Buffer.from(body))
          inFlight--
          resolve()
        }),
      )
    },
    put: async () => {},
    delete: async () => {},
  }
  return {
    bucket: bucket as unknown as Bucket,
    stored,
    finishOne: () => pending.shift()?.(),
    pending: () => pending.length,
    maxInFlight: () => maxInFlight,
  }
}

describe('writeParts', () => {
  for (const depth of [1, 2, 4]) {
    it(`holds at most P × (depth + 1) unstored bytes and ${depth} part(s) in flight (depth ${depth})`, async () => {
      const s = slowBucket()
      const parts = 12
      let pulled = 0
      let worst = 0
      async function* body() {
        for (let k = 0; k < parts * 4; k++) {
          pulled += P / 4
          const unstored = pulled - [...s.stored.values()].reduce((n, b) => n + b.length, 0)
          worst = Math.max(worst, unstored)
          yield new Uint8Array(P / 4).fill(k >> 2)
        }
      }
      const done = writeParts(
        s.bucket,
        {
          id: 'u',
          dataKey: 'u',
          uploadId: 'x',
          partSize: P,
          size: parts * P,
          firstPart: 1,
          tail: undefined,
          tailKey: (n) => `u.tail.${n}`,
        },
        body(),
        {
          signal: new AbortController().signal,
          lease: undefined,
          maxBytes: undefined,
          onProgress: undefined,
          depth,
          slots: new Slots(16),
        },
      )
      // Let parts finish one at a time, only when the writer waits on them.
      while (s.stored.size < parts) {
        await new Promise((r) => setImmediate(r))
        s.finishOne()
      }
      expect((await done).offset).toBe(parts * P)
      expect(s.maxInFlight()).toBe(depth)
      expect(worst).toBeLessThanOrEqual(P * (depth + 1))
      // Part k holds bytes of value k−1 only: fixed-size parts, in order.
      for (let k = 1; k <= parts; k++) expect(s.stored.get(k)?.every((b) => b === k - 1)).toBe(true)
    })
  }
})
