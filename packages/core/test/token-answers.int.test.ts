import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createUploader, NetworkError } from '@shuttle/core'
import { HttpError } from '@shuttle/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import { waitForCompletion } from './helpers/engine.js'
import { MiB, waitUntil } from './helpers/files.js'
import { useSourceFiles } from './helpers/source-files.js'
import { fetchToken, startTokenServer, type TokenServer } from './helpers/token-server.js'

// How the engine reads what a server with tokens on answers, over real HTTP from our server: a
// refusal (403: a quota), a 401 that refreshing does not cure, a token endpoint that is down for a
// moment, and a request to wait (429 + Retry-After). The quota is the `authorize` hook's, standing in for any
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

describe('an onAuthExpired with nothing new to offer', () => {
  it('resolves false: the file fails with the server’s 401 at once, one call, one refused request', async () => {
    const s = await startTokenServer({ lifetimeSeconds: 60 })
    server = s
    let calls = 0
    const up = createUploader({
      endpoint: s.endpoint,
      retryDelays: [0, 100],
      headers: () => ({ Authorization: 'Bearer not.a.token' }),
      onAuthExpired: async () => {
        calls++
        return false
      },
    })
    try {
      const [id] = up.add(files[0]!.path) as [string]
      await expect(waitForCompletion(up, [id], 10_000)).rejects.toThrow(/ended failed/)
      const error = up.getFile(id)?.error as { status?: number; code?: string } | undefined
      expect(error?.status).toBe(401)
      expect(error?.code).not.toBe('ERR_AUTH_EXPIRED')
      expect(calls).toBe(1)
      expect(s.answers.filter((x) => x.status === 401)).toHaveLength(1)
    } finally {
      await up.destroy()
    }
  })
})

describe('a token endpoint that cannot be reached for a moment', () => {
  it('the engine backs off on the refresh’s NetworkError and asks again; the file completes', async () => {
    const s = await startTokenServer({ lifetimeSeconds: 60 })
    server = s
    // A port nothing listens on: the first refresh meets a real ECONNREFUSED.
    const down = http.createServer()
    await new Promise<void>((r) => down.listen(0, '127.0.0.1', r))
    const deadUrl = `http://127.0.0.1:${(down.address() as AddressInfo).port}/token`
    await new Promise<void>((r) => down.close(() => r()))
    let token = 'not.a.token'
    const calls: string[] = []
    const up = createUploader({
      endpoint: s.endpoint,
      retryDelays: [0, 100, 200],
      headers: () => ({ Authorization: `Bearer ${token}` }),
      onAuthExpired: async () => {
        const url = calls.length === 0 ? deadUrl : s.tokenUrl
        calls.push(url)
        try {
          token = await fetchToken(url)
        } catch (cause) {
          // What an app does to say "try again later" rather than "give up".
          throw new NetworkError('The token endpoint is unreachable', { cause })
        }
      },
    })
    const retries: string[] = []
    up.on('retry', ({ error }) => retries.push(`${error.code}: ${error.message}`))
    try {
      const [id] = up.add(files[0]!.path) as [string]
      await waitForCompletion(up, [id], 20_000)
      expect(calls).toEqual([deadUrl, s.tokenUrl])
      expect(retries).toEqual([
        'ERR_AUTH_EXPIRED: Refreshing credentials failed: The token endpoint is unreachable',
      ])
      expect(await s.storedSha256(up.getFile(id)!.url!)).toBe(files[0]!.sha256)
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
