import { describe, expect, it } from 'vitest'
import { waitForCompletion } from './helpers/engine.js'
import { MiB, waitUntil } from './helpers/files.js'
import { useSourceFile } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// The proxy flips one byte of one PATCH body. With checksum on, our server refuses that chunk
// (460) and the engine sends it again; with checksum off the damage lands on disk (the control).
const SIZE = 6 * MiB
const CHUNK = 1 * MiB
const RATE = 8 * MiB

const file = useSourceFile('checksum-src', 'checked.bin', SIZE)

describe('checksum extension against shuttle', () => {
  const stack = useStack('shuttle', { bytesPerSecond: RATE })

  async function uploadWithCorruption(
    checksum: 'sha256' | false,
  ): Promise<{ url: string; retries: number; mismatches: number }> {
    const { proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: CHUNK, checksum, retryDelays: [0, 100] })
    let retries = 0
    let mismatches = 0
    u.on('retry', () => retries++)
    u.on('checksum-mismatch', () => mismatches++)
    const [id] = u.add(file.path) as [string]
    await waitUntil(() => (u.getFile(id)?.bytesConfirmed ?? 0) >= CHUNK, 20_000, 'a confirmed chunk')
    proxy.corruptNextPatch()
    await waitForCompletion(u, [id], 30_000)
    expect(proxy.log.filter((e) => e.corrupted)).toHaveLength(1)
    return { url: u.getFile(id)!.url!, retries, mismatches }
  }

  it('a chunk damaged in transit is refused and sent again; the file arrives intact', async () => {
    const { server, proxy } = stack
    const { url, retries, mismatches } = await uploadWithCorruption('sha256')
    const patches = proxy.requestsFor(url).filter((e) => e.method === 'PATCH')
    for (const p of patches) expect(p.checksum).toMatch(/^sha256 [A-Za-z0-9+/]+=*$/)
    const bad = patches.find((e) => e.corrupted)!
    expect(bad.status).toBe(460)
    // Re-sent at once by the transport and reported, not a failed attempt the engine retries.
    expect(mismatches).toBe(1)
    expect(retries).toBe(0)
    // The refused chunk is sent again from the same offset.
    expect(patches.filter((e) => e.offset === bad.offset && e.status === 204)).toHaveLength(1)
    expect(await server.storedSha256(url)).toBe(file.sha256)
  })

  it('control: without checksum the same damage is stored silently', async () => {
    const { server, proxy } = stack
    const { url } = await uploadWithCorruption(false)
    expect(proxy.requestsFor(url).every((e) => e.checksum === null)).toBe(true)
    expect(await server.storedSha256(url)).not.toBe(file.sha256)
  })
})
