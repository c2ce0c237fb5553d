import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBitFlipProxy } from './helpers/bit-flip-proxy.js'
import { waitForCompletion } from './helpers/engine.js'
import {
  identityOfFile,
  MiB,
  makeTempDir,
  removeDir,
  type TestFile,
  waitUntil,
  writeRandomFile,
} from './helpers/files.js'
import { useStack } from './helpers/stack.js'

// Chunks checksummed from the identity's block digests (sha256-4m, nothing hashed again on the
// client, the server checking them from the identity's own blocks) still catch damage on the way:
// a flipped bit gets 460, the chunk goes again (then with its own sha256) and the stored file is
// byte-identical; the same damage without verification is stored.
let dir: string
let file: TestFile
beforeAll(async () => {
  dir = await makeTempDir('verify-blocks')
  file = await writeRandomFile(dir, 'blocks.bin', 20 * MiB + 7)
})
afterAll(() => removeDir(dir))

describe('sha256-4m chunk checksums through a proxy that flips bits', () => {
  const stack = useStack('shuttle')

  it('damaged chunks get 460 and go again; the identity the server confirms is the file’s', async () => {
    const proxy = await startBitFlipProxy(stack.server.endpoint, { every: 2, maxPerMethod: 2, seed: 5 })
    try {
      const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: 8 * MiB, retryDelays: [0] })
      let confirmed: string | undefined
      let mismatches = 0
      u.on('checksum-mismatch', () => mismatches++)
      u.on('completed', ({ identity }) => {
        confirmed = identity?.digest
      })
      const [id] = u.add(file.path) as [string]
      await waitForCompletion(u, [id], 60_000)
      expect(u.getFile(id)?.status).toBe('completed')
      expect(proxy.flipped.length).toBe(2)
      expect(proxy.flipped.map((f) => f.status)).toEqual([460, 460])
      expect(mismatches).toBe(2)
      await waitUntil(() => confirmed !== undefined, 10_000, 'the completed event')
      expect(confirmed).toBe(await identityOfFile(file.path))
      expect(await stack.server.storedSha256(u.getFile(id)!.url!)).toBe(file.sha256)
    } finally {
      await proxy.close()
    }
  })

  it('checksum: false: the same damage is stored (the corruption is real)', async () => {
    const proxy = await startBitFlipProxy(stack.server.endpoint, { every: 2, maxPerMethod: 2, seed: 5 })
    try {
      const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: 8 * MiB, checksum: false })
      const [id] = u.add(file.path) as [string]
      await waitForCompletion(u, [id], 60_000)
      // Here the creation POST carries the first bytes too (no identity to declare first).
      expect(proxy.flipped.length).toBeGreaterThanOrEqual(2)
      expect(proxy.statuses).not.toContain(460)
      expect(await stack.server.storedSha256(u.getFile(id)!.url!)).not.toBe(file.sha256)
    } finally {
      await proxy.close()
    }
  })
})
