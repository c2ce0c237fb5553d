import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitForCompletion } from './helpers/engine.js'
import { identityOfFile, MiB, makeTempDir, removeDir, waitUntil, writeRandomFile } from './helpers/files.js'
import { startRecordingProxy } from './helpers/recording-proxy.js'
import { useSourceFiles } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// Verification is on by default. Against our server a file whose identity was declared is checked
// by the identity the server confirms (no SHA-256 on either side); with checksum: 'sha256' (and for
// files that declare none) the file's SHA-256 is compared with the server's Repr-Digest; against @tus/server (no checksum, no Repr-Digest) nothing changes but one
// OPTIONS; a server whose stored bytes differ fails the upload loudly; a proxy that drops trailers
// costs one refused request, not a failed upload.
const files = useSourceFiles('verify-src', [6 * MiB + 5, 3 * MiB, 0])

let otherDir: string
beforeAll(async () => {
  otherDir = await makeTempDir('verify-other')
})
afterAll(() => removeDir(otherDir))

const methodsOf = (log: readonly { method: string }[]) => log.map((e) => e.method)

describe('verification against shuttle', () => {
  const stack = useStack('shuttle')

  it('by default, a file with a declared identity is checked by the identity the server confirms: sha256-4m checksums, no SHA-256 asked', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: 4 * MiB })
    const confirmed = new Map<string, string | undefined>()
    u.on('completed', ({ id, identity, verified }) => {
      expect(verified).toBeUndefined()
      confirmed.set(id, identity?.digest)
    })
    const [id] = u.add(files[0]!.path) as [string]
    await waitForCompletion(u, [id], 30_000)
    await waitUntil(() => confirmed.size === 1, 10_000, 'the completed event')
    expect(confirmed.get(id)).toBe(await identityOfFile(files[0]!.path))
    expect(await server.storedSha256(u.getFile(id)!.url!)).toBe(files[0]!.sha256)
    // 4 MiB + 2 MiB + 5: each PATCH checksummed from the identity's blocks, none asking Repr-Digest.
    const patches = proxy.requestsFor(u.getFile(id)!.url!).filter((r) => r.method === 'PATCH')
    expect(patches).toHaveLength(2)
    for (const p of patches) expect(p.checksum).toMatch(/^sha256-4m /)
  })

  it('completes every file with the digest the server confirmed (trailer, header in the POST, empty file)', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, checksum: 'sha256' })
    const verified = new Map<string, string>()
    u.on('completed', ({ id, verified: v }) => v && verified.set(id, v.digest))
    const ids = u.add(files.map((f) => f.path))
    await waitForCompletion(u, ids, 30_000)
    await waitUntil(() => verified.size === ids.length, 10_000, 'every completed event')
    for (const [i, id] of ids.entries()) {
      const hex = Buffer.from(verified.get(id) ?? '', 'base64').toString('hex')
      expect(hex, `file ${i}`).toBe(files[i]!.sha256)
      expect(await server.storedSha256(u.getFile(id)!.url!)).toBe(files[i]!.sha256)
    }
    expect(methodsOf(proxy.log).filter((m) => m === 'OPTIONS')).toHaveLength(1)
    // The 6 MiB file: POST without body, one PATCH with its sha256 in a trailer.
    const big = proxy.requestsFor(u.getFile(ids[0]!)!.url!)
    expect(methodsOf(big)).toEqual(['POST', 'PATCH'])
    expect(big[0]!.bytes).toBe(0)
    // The 3 MiB file: all in the creation POST, checksummed in a header.
    const small = proxy.requestsFor(u.getFile(ids[1]!)!.url!)
    expect(methodsOf(small)).toEqual(['POST'])
    expect(small[0]!.checksum).toMatch(/^sha256 /)
  })

  it('fails loudly when the stored bytes differ from the file, and deletes that upload', async () => {
    const { server } = stack
    // A server whose store lies: its Repr-Digest names other bytes.
    const lying = await startRecordingProxy(server.endpoint, {
      mapResponseHeaders: (_method, headers) => {
        if (headers['repr-digest'])
          headers['repr-digest'] = `sha-256=:${Buffer.alloc(32, 7).toString('base64')}:`
      },
    })
    try {
      const u = stack.uploader({ endpoint: lying.endpoint, retryDelays: [0], checksum: 'sha256' })
      const [id] = u.add(files[0]!.path) as [string]
      await waitForCompletion(u, [id], 30_000).catch(() => {})
      const f = u.getFile(id)!
      expect(f.status).toBe('failed')
      expect(f.error?.code).toBe('ERR_DIGEST_MISMATCH')
      expect(f.error?.message).toMatch(/stored bytes differ from the file/)
      const url = lying.log.find((e) => e.method === 'PATCH')!.path
      expect(methodsOf(lying.log)).toContain('DELETE')
      const head = await fetch(new URL(url, server.endpoint), {
        method: 'HEAD',
        headers: { 'Tus-Resumable': '1.0.0' },
      })
      expect(head.status).toBe(404)
    } finally {
      await lying.close()
    }
  })

  it('behind a proxy that drops trailers: one refused request, then no more trailers; still verified', async () => {
    const { server } = stack
    const dropping = await startRecordingProxy(server.endpoint, { dropTrailers: true })
    try {
      const u = stack.uploader({ endpoint: dropping.endpoint, maxConcurrentUploads: 1, checksum: 'sha256' })
      const verified: string[] = []
      u.on('completed', ({ verified: v }) => v && verified.push(v.digest))
      const first = u.add(files[0]!.path)
      await waitForCompletion(u, first, 30_000)
      // Other bytes than the first (the same content would finish by instant upload, nothing sent).
      const other = await writeRandomFile(otherDir, 'other.bin', 6 * MiB + 5)
      const second = u.add(other.path)
      await waitForCompletion(u, second, 30_000)
      const patches = dropping.log.filter((e) => e.method === 'PATCH')
      expect(patches.map((p) => p.status)).toEqual([460, 204, 204])
      expect(Buffer.from(verified[0] ?? '', 'base64').toString('hex')).toBe(files[0]!.sha256)
      // 'completed' (with the digest) follows the state change once the checkpoint is dropped.
      await waitUntil(() => verified.length === 2, 10_000, 'both completed events')
      expect(Buffer.from(verified[1] ?? '', 'base64').toString('hex')).toBe(other.sha256)
    } finally {
      await dropping.close()
    }
  })
})

describe('verification against @tus/server (no checksum, no Repr-Digest)', () => {
  const stack = useStack('tus-node')

  it('uploads as before: no error, no request beyond the one OPTIONS', async () => {
    const { server, proxy } = stack
    const on = stack.uploader({ endpoint: proxy.endpoint })
    const completed: unknown[] = []
    on.on('completed', (e) => completed.push(e.verified))
    const ids = on.add(files.map((f) => f.path))
    await waitForCompletion(on, ids, 30_000)
    await waitUntil(() => completed.length === ids.length, 10_000, 'every completed event')
    const withVerify = methodsOf(proxy.log)
    for (const [i, id] of ids.entries()) {
      expect(await server.storedSha256(on.getFile(id)!.url!)).toBe(files[i]!.sha256)
    }
    expect(completed).toEqual([undefined, undefined, undefined])
    const before = proxy.log.length
    const off = stack.uploader({ endpoint: proxy.endpoint, checksum: false })
    const offIds = off.add(
      files.map((f) => f.path),
      { run: 'off' },
    )
    await waitForCompletion(off, offIds, 30_000)
    // The same requests either way: verification costs nothing against this server.
    expect(methodsOf(proxy.log.slice(before)).sort()).toEqual([...withVerify].sort())
    expect(withVerify.filter((m) => m === 'OPTIONS')).toHaveLength(1)
  })
})
