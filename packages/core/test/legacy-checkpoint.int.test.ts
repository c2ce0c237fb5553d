import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createFileCheckpointStore } from '@shuttle/core'
import { describe, expect, it } from 'vitest'
import { waitForCompletion } from './helpers/engine.js'
import { MiB, waitUntil } from './helpers/files.js'
import { useSourceFile } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// Checkpoints an older Shuttle wrote (before transports owned their state: `url`, `parts` and `s3`
// side by side, no `transport`) are on users' disks. A new uploader must resume them, not start over.
const SIZE = 12 * MiB
const CHUNK = 1 * MiB
const RATE = 6 * MiB

const file = useSourceFile('legacy-src', 'legacy.bin', SIZE)

/** Rewrites every checkpoint file in `dir` into the shape Shuttle 0.1 wrote; returns how many. */
async function downgradeCheckpoints(dir: string): Promise<unknown[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json'))
  const written: unknown[] = []
  for (const name of names) {
    const entry = JSON.parse(await readFile(join(dir, name), 'utf8'))
    const { transport, state, ...envelope } = entry.checkpoint
    expect(transport).toBe('tus')
    const old = { ...envelope, ...(state?.parts ? { parts: state.parts } : {}) }
    written.push(old)
    await writeFile(join(dir, name), JSON.stringify({ fingerprint: entry.fingerprint, checkpoint: old }))
  }
  return written
}

describe('checkpoints of an older Shuttle still resume (shuttle server, file checkpoint store)', () => {
  const stack = useStack('shuttle', { bytesPerSecond: RATE, checkpoints: 'legacy-ck' })

  it.each([
    ['a single upload', 1],
    ['parallel parts (concatenation)', 2],
  ])('%s: the next uploader continues the same upload from the server offset', async (_name, parts) => {
    const { server, proxy, checkpointDir } = stack
    const options = {
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      parallelUploads: parts,
      checkpointStore: createFileCheckpointStore(checkpointDir),
      // An older Shuttle kept checkpoints by fingerprint only (no identity keys, which our server's
      // instant-upload would otherwise add for a file this size).
      identity: false,
    }
    const first = stack.uploader(options)
    const [id1] = first.add(file.path) as [string]
    await waitUntil(() => (first.getFile(id1)?.bytesConfirmed ?? 0) >= 3 * CHUNK, 20_000, '3 MiB confirmed')
    await first.destroy()
    const postsBefore = proxy.log.filter((e) => e.method === 'POST').length
    const old = await downgradeCheckpoints(checkpointDir)
    expect(old).toHaveLength(1)
    expect(old[0]).not.toHaveProperty('transport')
    expect(old[0]).not.toHaveProperty('state')

    const second = stack.uploader({ ...options, checkpointStore: createFileCheckpointStore(checkpointDir) })
    const restarted: string[] = []
    second.on('upload-restarted', ({ oldUrl }) => restarted.push(oldUrl))
    const [id2] = second.add(file.path) as [string]
    await waitForCompletion(second, [id2], 30_000)
    expect(restarted).toEqual([])
    const posts = proxy.log.filter((e) => e.method === 'POST')
    // No new upload: a single one needs no POST at all, parts only the final concatenation.
    expect(posts.slice(postsBefore).map((e) => e.concat)).toEqual(
      parts > 1 ? [expect.stringMatching(/^final;/)] : [],
    )
    const patched = proxy.log.filter((e) => e.method === 'PATCH').reduce((n, e) => n + e.bytes, 0)
    expect(patched).toBeLessThanOrEqual(SIZE + parts * CHUNK)
    const url = second.getFile(id2)?.url
    if (!url) throw new Error('no upload URL')
    expect(await server.storedSha256(url)).toBe(file.sha256)
    expect(await readdir(checkpointDir)).toEqual([])
  })
})
