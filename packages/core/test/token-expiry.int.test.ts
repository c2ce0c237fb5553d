import { createUploader } from '@shuttle/core'
import { afterEach, describe, expect, it } from 'vitest'
import { waitForCompletion } from './helpers/engine.js'
import { MiB } from './helpers/files.js'
import { type RecordingProxy, startRecordingProxy } from './helpers/recording-proxy.js'
import { useSourceFiles } from './helpers/source-files.js'
import { fetchToken, startTokenServer, type TokenServer } from './helpers/token-server.js'

// Real upload tokens (our server's `tokens` option) that live 2 seconds, three 40 MiB files
// throttled to 6 MiB/s each: every file runs through several expiries. The token endpoint counts
// what it issued; the server's answers say which token each 401 refused.
const SIZE = 40 * MiB
const CHUNK = 2 * MiB
const RATE = 6 * MiB

const files = useSourceFiles('token-expiry-src', [SIZE, SIZE, SIZE], 'token')
let server: TokenServer | undefined
let proxy: RecordingProxy | undefined

afterEach(async () => {
  await proxy?.close()
  await server?.close()
})

describe('2-second upload tokens, refreshed through onAuthExpired', () => {
  it('three 40 MiB files: one refresh per expired token, shared by every file, bytes identical', async () => {
    const s = await startTokenServer({ lifetimeSeconds: 2 })
    server = s
    proxy = await startRecordingProxy(s.endpoint, { bytesPerSecond: RATE })
    let token = await fetchToken(s.tokenUrl)
    const refreshes: Array<{ at: number; replaced: string }> = []
    const up = createUploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      maxConcurrentUploads: 3,
      headers: () => ({ Authorization: `Bearer ${token}` }),
      onAuthExpired: async () => {
        refreshes.push({ at: Date.now(), replaced: token })
        token = await fetchToken(s.tokenUrl)
      },
    })
    const started = Date.now()
    try {
      const ids = up.add(files.map((f) => f.path))
      await waitForCompletion(up, ids, 90_000)
      const ended = Date.now()

      const refused = s.answers.filter((a) => a.status === 401)
      const refusedTokens = new Set(refused.map((a) => a.token))
      // Tokens that stopped being valid while the run went on: the most refreshes there can be.
      const expiries = s.issued.filter((t) => t.expiresAt <= ended).length
      console.info(
        `tokens issued ${s.issued.length}, expired during the run ${expiries}, 401s ${refused.length} ` +
          `(for ${refusedTokens.size} tokens), refreshes ${refreshes.length}, ${((ended - started) / 1000).toFixed(1)} s`,
      )
      expect(refreshes.length).toBeGreaterThanOrEqual(1)
      expect(refreshes.length).toBeLessThanOrEqual(expiries)
      // Exactly one refresh per expired token: each refused token was replaced once, and each
      // refresh replaced a token the server had refused (never a fresh one, never twice).
      expect(refreshes.map((r) => r.replaced).sort()).toEqual([...refusedTokens].sort())
      expect(new Set(refreshes.map((r) => r.replaced)).size).toBe(refreshes.length)
      // Every 401 came after its token's expiry (not a refresh racing ahead with a bad token).
      for (const a of refused) {
        const t = s.issued.find((i) => i.token === a.token)
        expect(t, 'a 401 for a token the endpoint never issued').toBeDefined()
        expect(a.at).toBeGreaterThanOrEqual(t!.expiresAt)
      }
      // No file started over: one creation each, and the stored bytes are the source's.
      const posts = s.answers.filter((a) => a.method === 'POST' && a.status === 201)
      expect(posts).toHaveLength(3)
      for (const [i, id] of ids.entries()) {
        const url = up.getFile(id)?.url
        if (!url) throw new Error(`file ${i + 1} has no URL`)
        expect(await s.storedSha256(url)).toBe(files[i]!.sha256)
      }
    } finally {
      await up.destroy()
    }
  })
})
