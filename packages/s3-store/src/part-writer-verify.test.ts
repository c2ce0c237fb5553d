import { describe, expect, it } from 'vitest'
import type { Bucket } from './bucket.js'
import { type PartVerify, writeParts } from './part-writer.js'
import { Slots } from './slots.js'

// A checksummed write's order of S3 calls, on a bucket that records them: the guard before the
// first part, the decision once every full part is stored, and only a kept body's rest, commit and
// tail delete after it. A refused one leaves the tail it started from.
const P = 1024

function recordingBucket() {
  const calls: string[] = []
  const bucket = {
    uploadPart: async (_key: string, _id: string, n: number) => {
      calls.push(`part ${n}`)
    },
    put: async (key: string) => {
      calls.push(`put ${key}`)
    },
    delete: async (key: string) => {
      calls.push(`delete ${key}`)
    },
  }
  return { bucket: bucket as unknown as Bucket, calls }
}

async function* body(bytes: number) {
  for (let at = 0; at < bytes; at += 256) yield new Uint8Array(Math.min(256, bytes - at))
}

function run(decision: 'keep' | 'drop' | 'refuse', size: number | undefined, bytes: number) {
  const { bucket, calls } = recordingBucket()
  let hashed = 0
  const verify: PartVerify = {
    hash: { update: (d) => (hashed += d.length) },
    guard: async () => {
      calls.push('guard')
    },
    decide: (ended, received) => {
      calls.push(`decide ${ended} ${received}`)
      if (decision === 'refuse') throw new Error('460')
      return decision === 'keep'
    },
  }
  const done = writeParts(
    bucket,
    {
      id: 'u',
      dataKey: 'u',
      uploadId: 'x',
      partSize: P,
      size,
      firstPart: 3,
      tail: Buffer.alloc(100),
      tailKey: (n) => `u.tail.${n}`,
    },
    body(bytes),
    {
      signal: new AbortController().signal,
      lease: undefined,
      maxBytes: undefined,
      onProgress: undefined,
      depth: 2,
      slots: new Slots(16),
      verify,
      commit: async (parts) => {
        calls.push(`commit ${parts}`)
      },
    },
  )
  return { done, calls, hashed: () => hashed }
}

describe('writeParts with a checksum', () => {
  it('kept: guard, parts, decision, then the next tail, commit, and only then the old tail goes', async () => {
    const r = run('keep', undefined, 2 * P + 50)
    // Tail 3 (100 B) + 2098 B = parts 3 and 4 full, 150 B left for tail 5.
    expect(await r.done).toEqual({ offset: 4 * P + 150, overflow: false, changed: true })
    expect(r.calls).toEqual([
      'guard',
      'part 3',
      'part 4',
      `decide true ${2 * P + 50}`,
      'put u.tail.5',
      'commit 4',
      'delete u.tail.3',
    ])
    expect(r.hashed()).toBe(2 * P + 50) // the body only, not the stored tail it continues
  })

  it('kept at the end of the upload: the rest is the final part, counted by commit', async () => {
    const r = run('keep', 4 * P + 10, 2 * P - 90)
    // Tail 3 (100 B) + 1958 B = parts 3 and 4 full, then 10 B: the final part 5.
    expect((await r.done).offset).toBe(4 * P + 10)
    expect(r.calls).toEqual([
      'guard',
      'part 3',
      'part 4',
      `decide true ${2 * P - 90}`,
      'part 5',
      'commit 5',
      'delete u.tail.3',
    ])
  })

  it('refused: nothing after the decision; the tail it started from stays', async () => {
    const r = run('refuse', undefined, 2 * P + 50)
    await expect(r.done).rejects.toThrow('460')
    expect(r.calls).toEqual(['guard', 'part 3', 'part 4', `decide true ${2 * P + 50}`])
  })

  it('dropped (cut off before a header checksum could be checked): the offset stays', async () => {
    const r = run('drop', undefined, 2 * P + 50)
    expect(await r.done).toEqual({ offset: 2 * P + 100, overflow: false, changed: false })
    expect(r.calls).toEqual(['guard', 'part 3', 'part 4', `decide true ${2 * P + 50}`])
  })

  it('below one part: no guard, no part; the tail is written only once verified', async () => {
    const r = run('keep', undefined, 300)
    expect((await r.done).offset).toBe(2 * P + 400)
    expect(r.calls).toEqual(['decide true 300', 'put u.tail.3', 'commit 2'])
  })
})
