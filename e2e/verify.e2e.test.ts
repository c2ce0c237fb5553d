import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BitFlipProxy, startBitFlipProxy } from '../packages/core/test/helpers/bit-flip-proxy.js'
import { launchChromium } from './helpers/browser.js'
import { fetchSha, MiB } from './helpers/files.js'
import { assertBuilt, type RunningServer, startServer } from './helpers/server.js'

// The engine in Chromium behind a proxy that flips one random bit in some request bodies. Verified
// (the default), each chunk's Upload-Checksum makes the server refuse a damaged one (460), the engine
// sends it again, the file's SHA-256 (hash-wasm, grown chunk by chunk) equals the server's
// Repr-Digest, and every stored file is byte-identical. With checksum: false the damage is stored.
const SIZES = [
  9 * MiB + 3,
  7 * MiB,
  5 * MiB + 1,
  4 * MiB,
  3 * MiB + 7,
  2 * MiB,
  1536 * 1024,
  MiB,
  300_000,
  4097,
]
const CHUNK = 2 * MiB

let tmp: string
let server: RunningServer
let browser: Browser
let page: Page
const proxies: BitFlipProxy[] = []

beforeAll(async () => {
  assertBuilt()
  tmp = await mkdtemp(join(tmpdir(), 'shuttle-e2e-verify-'))
  server = await startServer(join(tmp, 'uploads'))
  browser = await launchChromium()
  page = await browser.newPage()
})

afterAll(async () => {
  await browser?.close()
  for (const p of proxies) await p.close()
  await server?.stop()
  if (tmp) await rm(tmp, { recursive: true, force: true })
})

interface PageResult {
  files: { url: string; sha: string; id4m: string; verified: string | null; identity: string | null }[]
  mismatches: number
  failed: string[]
}

async function uploadTen(seed: number, checksum: boolean): Promise<{ proxy: BitFlipProxy; r: PageResult }> {
  const proxy = await startBitFlipProxy(`${server.origin}/files/`, { every: 3, maxPerMethod: 4, seed })
  proxies.push(proxy)
  const origin = new URL(proxy.endpoint).origin
  await page.goto(`${origin}/engine.html`)
  await page.locator('body[data-ready="true"]').waitFor()
  const r = await page.evaluate(
    async ({ sizes, chunk, checksum }) => {
      const s = window.shuttle
      const hex = (b: ArrayBuffer | Uint8Array) =>
        Array.from(new Uint8Array(b), (x) => x.toString(16).padStart(2, '0')).join('')
      const blobs = []
      const shas: string[] = []
      const ids4m: string[] = []
      for (const size of sizes) {
        const bytes = new Uint8Array(size)
        for (let i = 0; i < size; i += 65536)
          crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)))
        shas.push(hex(await crypto.subtle.digest('SHA-256', bytes)))
        // sha256-4m: SHA-256 over each 4 MiB block's digest, the SHA-256 over its 512 KiB leaves'.
        type Bytes = Uint8Array<ArrayBuffer>
        const overParts = async (b: Bytes, size: number, digest: (p: Bytes) => Promise<Bytes>) => {
          const parts: Bytes[] = []
          for (let at = 0; at < b.length; at += size) parts.push(await digest(b.subarray(at, at + size)))
          const all = new Uint8Array(parts.length * 32)
          for (const [i, p] of parts.entries()) all.set(p, i * 32)
          return new Uint8Array(await crypto.subtle.digest('SHA-256', all))
        }
        const sha = async (b: Bytes) => new Uint8Array(await crypto.subtle.digest('SHA-256', b))
        ids4m.push(hex(await overParts(bytes, 4 * 1024 * 1024, (block) => overParts(block, 512 * 1024, sha))))
        blobs.push(new Blob([bytes]))
      }
      const endpoint = new URL('/files/', location.href).href
      const up = s.createUploader({
        endpoint,
        chunkSize: chunk,
        checksum,
        maxConcurrentUploads: 3,
        retryDelays: [0, 100, 200],
        checkpointStore: s.createMemoryCheckpointStore(),
      })
      let mismatches = 0
      up.on('checksum-mismatch', () => mismatches++)
      const verified = new Map<string, string>()
      const identities = new Map<string, string>()
      const failed: string[] = []
      const ids = up.add(blobs.map((blob, i) => ({ blob, name: `ten-${i}.bin` })))
      await new Promise<void>((ok) => {
        let done = 0
        const settle = () => {
          if (++done === ids.length) ok()
        }
        up.on('completed', ({ id, verified: v, identity }) => {
          if (v) verified.set(id, v.digest)
          if (identity) identities.set(id, identity.digest)
          settle()
        })
        up.on('failed', ({ error }) => {
          failed.push(error.message)
          settle()
        })
      })
      const files = ids.map((id, i) => {
        const v = verified.get(id)
        const idv = identities.get(id)
        const unb64 = (b: string) => hex(Uint8Array.from(atob(b), (c) => c.charCodeAt(0)))
        return {
          url: up.getFile(id)?.url ?? '',
          sha: shas[i] ?? '',
          id4m: ids4m[i] ?? '',
          verified: v === undefined ? null : unb64(v),
          identity: idv === undefined ? null : unb64(idv),
        }
      })
      return { files, mismatches, failed }
    },
    { sizes: SIZES, chunk: CHUNK, checksum },
  )
  return { proxy, r }
}

const stored = (url: string) => fetchSha(`${server.origin}${new URL(url).pathname}`)

describe('verification in Chromium through a bit-flipping proxy', () => {
  it('verified: damaged chunks get 460 and go again; every stored file is byte-identical', async () => {
    const { proxy, r } = await uploadTen(11, true)
    expect(r.failed).toEqual([])
    expect(proxy.flipped.length).toBeGreaterThanOrEqual(4)
    expect(proxy.flipped.map((f) => f.status)).toEqual(proxy.flipped.map(() => 460))
    expect(r.mismatches).toBe(proxy.flipped.length)
    for (const f of r.files) {
      // What the server confirmed: its Repr-Digest (a file sent whole in the creation POST) or,
      // for a file whose identity was declared, the identity it checked against the stored bytes.
      if (f.verified === null) expect(f.identity).toBe(f.id4m)
      else expect(f.verified).toBe(f.sha)
      const got = await stored(f.url)
      expect(got.status).toBe(200)
      expect(got.sha).toBe(f.sha)
    }
  })

  it('checksum: false: the same damage is stored (the corruption is real)', async () => {
    const { proxy, r } = await uploadTen(11, false)
    expect(r.failed).toEqual([])
    expect(proxy.statuses).not.toContain(460)
    let damaged = 0
    for (const f of r.files) {
      expect(f.verified).toBeNull()
      expect(f.identity).toBeNull()
      if ((await stored(f.url)).sha !== f.sha) damaged++
    }
    expect(damaged).toBeGreaterThanOrEqual(3)
    expect(damaged).toBeLessThanOrEqual(proxy.flipped.length)
  })
})
