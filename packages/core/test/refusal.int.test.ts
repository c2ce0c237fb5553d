import { createUploader } from '@shuttle/core'
import { HttpError } from '@shuttle/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { waitForCompletion } from './helpers/engine.js'
import { MiB, waitUntil } from './helpers/files.js'
import { useSourceFiles } from './helpers/source-files.js'
import { fetchToken, startTokenServer, type TokenServer } from './helpers/token-server.js'

// What a server says when it refuses (403: a quota) or asks to wait (429 + Retry-After), over real
// HTTP from our server with tokens on. The quota is the `authorize` hook's, standing in for any
// server-side limit: what matters here is the client's reading of the answer.
const QUOTA = 'Quota exceeded: test-user may keep 2 uploads; delete one to upload another'

const files = useSourceFiles('refusal-src', [1 * MiB, 1 * MiB, 1 * MiB], 'refusal')
let server: TokenServer | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
})

describe('a 403 refusal', () => {
  it.each([
    ['with onAuthExpired', true],
    ['without onAuthExpired', false],
  ])('%s: the third file ends with the server’s sentence, the others finish', async (_, refreshing) => {
    let created = 0
    const s = await startTokenServer({
      lifetimeSeconds: 60,
      authorize: (_req, r) => {
        if (r.action === 'create' && ++created > 2) throw new HttpError('ERR_FORBIDDEN', 403, QUOTA)
      },
    })
    server = s
    let token = await fetchToken(s.tokenUrl)
    let refreshes = 0
    const up = createUploader({
      endpoint: s.endpoint,
      maxConcurrentUploads: 1,
      retryDelays: [0, 100],
      headers: () => ({ Authorization: `Bearer ${token}` }),
      ...(refreshing
        ? {
            onAuthExpired: async () => {
              refreshes++
              token = await fetchToken(s.tokenUrl)
            },
          }
        : {}),
    })
    try {
      const ids = up.add(files.map((f) => f.path))
      await waitUntil(
        () => ids.every((id) => ['completed', 'failed'].includes(up.getFile(id)?.status ?? '')),
        20_000,
        'every file to settle',
      )
      const [a, b, c] = ids.map((id) => up.getFile(id)!)
      expect([a!.status, b!.status, c!.status]).toEqual(['completed', 'completed', 'failed'])
      expect(c!.error?.message).toBe(QUOTA)
      expect(c!.error?.code).toBe('ERR_FORBIDDEN')
      expect((c!.error?.cause as { status?: number } | undefined)?.status).toBe(403)
      // One refresh to rule out expired credentials (the 403 could have been that), then no more.
      const refused = s.answers.filter((x) => x.status === 403)
      expect(refreshes).toBe(refreshing ? 1 : 0)
      expect(refused).toHaveLength(refreshing ? 2 : 1)
      for (const [i, f] of [a!, b!].entries()) expect(await s.storedSha256(f.url!)).toBe(files[i]!.sha256)
    } finally {
      await up.destroy()
    }
  })
})

describe('a 401 that refreshing does not cure', () => {
  it('ends the file saying so, with the server’s sentence', async () => {
    const s = await startTokenServer({ lifetimeSeconds: 60 })
    server = s
    let refreshes = 0
    const up = createUploader({
      endpoint: s.endpoint,
      retryDelays: [0],
      headers: () => ({ Authorization: 'Bearer not.a.token' }),
      onAuthExpired: async () => {
        refreshes++
      },
    })
    try {
      const [id] = up.add(files[0]!.path) as [string]
      await expect(waitForCompletion(up, [id], 10_000)).rejects.toThrow(/ended failed/)
      const error = up.getFile(id)?.error
      expect(error?.code).toBe('ERR_AUTH_EXPIRED')
      expect(error?.message).toMatch(/^Still unauthorized after refreshing credentials: .*malformed/)
      expect(refreshes).toBe(2)
    } finally {
      await up.destroy()
    }
  })
})

describe('429 with Retry-After', () => {
  it('waits as long as the server asked, then the upload succeeds', async () => {
    let creations = 0
    const s = await startTokenServer({
      lifetimeSeconds: 60,
      authorize: (_req, r) => {
        if (r.action === 'create' && ++creations === 1) {
          throw new HttpError('ERR_FORBIDDEN', 429, 'Too many uploads started; wait a moment', {
            headers: { 'Retry-After': '2' },
          })
        }
      },
    })
    server = s
    const token = await fetchToken(s.tokenUrl)
    const up = createUploader({
      endpoint: s.endpoint,
      // Without Retry-After the engine would try again at once.
      retryDelays: [0, 0],
      headers: () => ({ Authorization: `Bearer ${token}` }),
    })
    const retries: number[] = []
    up.on('retry', ({ delay }) => retries.push(delay))
    try {
      const [id] = up.add(files[0]!.path) as [string]
      await waitForCompletion(up, [id], 20_000)
      const posts = s.answers.filter((a) => a.method === 'POST')
      expect(posts.map((p) => p.status)).toEqual([429, 201])
      expect(retries).toEqual([2000])
      expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(2000)
      expect(await s.storedSha256(up.getFile(id)!.url!)).toBe(files[0]!.sha256)
    } finally {
      await up.destroy()
    }
  })
})
