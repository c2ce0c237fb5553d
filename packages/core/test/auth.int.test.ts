import { createUploader } from '@shuttle/core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createAuthGate } from './helpers/auth.js'
import { type Uploader, waitForCompletion } from './helpers/engine.js'
import { MiB, makeTempDir, removeDir, sleep, type TestFile, writeRandomFiles } from './helpers/files.js'
import { type RecordingProxy, startRecordingProxy } from './helpers/recording-proxy.js'
import { startServer, type TestServer } from './helpers/servers.js'

// Tokens are `Bearer <issuedAtMs>` and live TTL ms. The first token is issued so that it expires
// EXPIRES_AFTER ms into the run, while three 12 MiB files (4 MiB/s each) are all mid-upload.
const SIZE = 12 * MiB
const CHUNK = 1 * MiB
const RATE = 4 * MiB
const TTL = 10_000
const EXPIRES_AFTER = 1_500

let srcDir: string | undefined
let files: TestFile[] = []

beforeAll(async () => {
  srcDir = await makeTempDir('auth-src')
  files = await writeRandomFiles(srcDir, [SIZE, SIZE, SIZE])
})

afterAll(async () => {
  await removeDir(srcDir)
})

describe.each([401, 403])('expiring credentials answered %i', (status: number) => {
  const gate = createAuthGate(TTL, status)
  let server: TestServer
  let proxy: RecordingProxy
  let up: Uploader | undefined

  beforeEach(async () => {
    server = await startServer('shuttle', { wrap: gate.wrap })
    proxy = await startRecordingProxy(server.endpoint, { bytesPerSecond: RATE })
  })

  afterEach(async () => {
    await up?.destroy()
    up = undefined
    await proxy.close()
    await server.close()
  })

  it('three files hitting an expired token at once cause one refresh and no restart', async () => {
    let token = String(Date.now() - TTL + EXPIRES_AFTER)
    const refreshes: Array<{ id: string; status: number; states: string[]; confirmed: number[] }> = []
    const u: Uploader = createUploader({
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
    up = u
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
  let server: TestServer
  let proxy: RecordingProxy
  let up: Uploader | undefined

  beforeEach(async () => {
    server = await startServer('shuttle', { wrap: gate.wrap })
    proxy = await startRecordingProxy(server.endpoint)
  })

  afterEach(async () => {
    await up?.destroy()
    up = undefined
    await proxy.close()
    await server.close()
  })

  it('gives up after a bounded number of refreshes and fails the file with the 401', async () => {
    let calls = 0
    const u = createUploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      retryDelays: [0, 50, 100],
      headers: () => ({ Authorization: `Bearer ${Date.now()}` }),
      onAuthExpired: async () => {
        calls++
      },
    })
    up = u
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
    const u = createUploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      headers: () => ({ Authorization: 'Bearer 0' }),
      onAuthExpired: async () => {
        throw new Error('refresh endpoint down')
      },
    })
    up = u
    const [id] = u.add(files[0]!.path) as [string]
    await expect(waitForCompletion(u, [id], 10_000)).rejects.toThrow(/ended failed/)
    expect(proxy.log.length).toBeLessThanOrEqual(3)
  })
})
