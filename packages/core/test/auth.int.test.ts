import { describe, expect, it } from 'vitest'
import { createAuthGate } from './helpers/auth.js'
import { type Uploader, waitForCompletion } from './helpers/engine.js'
import { MiB, sleep } from './helpers/files.js'
import { useSourceFiles } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// Tokens are `Bearer <issuedAtMs>` and live TTL ms. The first token is issued so that it expires
// EXPIRES_AFTER ms into the run, while three 12 MiB files (4 MiB/s each) are all mid-upload.
const SIZE = 12 * MiB
const CHUNK = 1 * MiB
const RATE = 4 * MiB
const TTL = 10_000
const EXPIRES_AFTER = 1_500

const files = useSourceFiles('auth-src', [SIZE, SIZE, SIZE])

describe.each([401, 403])('expiring credentials answered %i', (status: number) => {
  const gate = createAuthGate(TTL, status)
  // Without instant upload: hashing each file's identity before its creation would shift the
  // timeline this test sets up (the token must expire while all three are mid-upload).
  const stack = useStack('shuttle', {
    wrap: gate.wrap,
    bytesPerSecond: RATE,
    shuttle: { instantUpload: false },
  })

  it('three files hitting an expired token at once cause one refresh and no restart', async () => {
    const { server, proxy } = stack
    let token = String(Date.now() - TTL + EXPIRES_AFTER)
    const refreshes: Array<{ id: string; status: number; states: string[]; confirmed: number[] }> = []
    const u: Uploader = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      maxConcurrentUploads: 3,
      retryDelays: [0, 100, 200, 400],
      headers: async () => ({ Authorization: `Bearer ${token}` }),
      onAuthExpired: async (ctx) => {
        const snap = u.getFiles()
        refreshes.push({
          id: ctx.id,
          status: ctx.status,
          states: snap.map((f) => f.status),
          confirmed: snap.map((f) => f.bytesConfirmed),
        })
        await sleep(50)
        token = String(Date.now())
      },
    })
    const authEvents: number[] = []
    const restarts: string[] = []
    u.on('auth-expired', ({ status }) => authEvents.push(status))
    u.on('upload-restarted', ({ id }) => restarts.push(id))
    const ids = u.add(files.map((f) => f.path))

    await waitForCompletion(u, ids, 60_000)

    // The token really expired mid-upload, for every file.
    expect(gate.rejected).toBeGreaterThanOrEqual(1)
    // All three uploads ran into the expired token (each had a request answered 401).
    const urls = ids.map((id) => new URL(u.getFile(id)!.url!).pathname)
    expect(new Set(gate.rejectedPaths.filter((p) => urls.includes(p))).size, gate.rejectedPaths.join()).toBe(
      3,
    )
    expect(refreshes).toHaveLength(1)
    const refresh = refreshes[0]!
    expect(refresh.status).toBe(status)
    expect(refresh.states).toHaveLength(3)
    for (const s of refresh.states) expect(['uploading', 'retrying']).toContain(s)
    for (const c of refresh.confirmed) {
      expect(c).toBeGreaterThan(0)
      expect(c).toBeLessThan(SIZE)
    }
    expect(authEvents.length).toBeGreaterThanOrEqual(1)
    expect(authEvents.every((s) => s === status)).toBe(true)

    // No file started over: one creation each, same URL, bytes intact.
    expect(restarts).toEqual([])
    for (const [i, id] of ids.entries()) {
      const url = u.getFile(id)?.url
      if (!url) throw new Error(`file ${i + 1} has no URL`)
      const posts = proxy.log.filter((e) => e.method === 'POST' && e.filename === files[i]!.name)
      expect(posts, `creations of ${files[i]!.name}`).toHaveLength(1)
      expect(posts[0]!.uploadPath).toBe(new URL(url).pathname)
      expect(await server.storedSha256(url)).toBe(files[i]!.sha256)
    }
  })
})

describe('credentials that never become valid', () => {
  const gate = createAuthGate(-1) // every token is already too old
  const stack = useStack('shuttle', { wrap: gate.wrap })

  it('gives up after a bounded number of refreshes and fails the file with the 401', async () => {
    const { proxy } = stack
    let calls = 0
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      retryDelays: [0, 50, 100],
      headers: () => ({ Authorization: `Bearer ${Date.now()}` }),
      onAuthExpired: async () => {
        calls++
      },
    })
    const [id] = u.add(files[0]!.path) as [string]
    const started = Date.now()
    await expect(waitForCompletion(u, [id], 10_000)).rejects.toThrow(/ended failed/)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(calls).toBeGreaterThanOrEqual(1)
    expect(calls).toBeLessThanOrEqual(3)
    const error = u.getFile(id)?.error as { status?: number; cause?: { status?: number } } | undefined
    expect(error?.status ?? error?.cause?.status).toBe(401)
    expect(proxy.log.length).toBeLessThanOrEqual(10)
  })

  it('a refresh that throws fails the file instead of retrying forever', async () => {
    const { proxy } = stack
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      headers: () => ({ Authorization: 'Bearer 0' }),
      onAuthExpired: async () => {
        throw new Error('refresh endpoint down')
      },
    })
    const [id] = u.add(files[0]!.path) as [string]
    await expect(waitForCompletion(u, [id], 10_000)).rejects.toThrow(/ended failed/)
    expect(proxy.log.length).toBeLessThanOrEqual(3)
  })
})
