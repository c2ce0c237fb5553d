import { createHash, randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseChallenge } from '@shuttle/protocol'
import { afterEach, describe, expect, it } from 'vitest'
import type { ServerOptions } from '../src/index.js'
import { identityHeader, identityOf, proofFor } from './helpers/identity.js'
import { jsUpload } from './helpers/js-client.js'
import { OCTET, startTus, type Tus } from './helpers/start-tus.js'
import { bearer, SECRET } from './helpers/tokens.js'

// The instant-upload extension on the wire, with clients written out by hand: one that holds the
// file, one that knows only its hash, one that declares an identity its bytes do not have.

const MIB = 1024 * 1024
let tus: Tus | undefined
afterEach(async () => {
  await tus?.close()
  tus = undefined
})

async function start(options: Partial<ServerOptions> = {}): Promise<Tus> {
  tus = await startTus(options)
  return tus
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

/** A normal upload of `bytes` that declares its identity; resolves with its URL. */
async function upload(
  t: Tus,
  bytes: Buffer,
  auth: Record<string, string> = {},
  confirmed: string | null = identityHeader(bytes),
): Promise<string> {
  const post = await t.req(t.endpoint, {
    method: 'POST',
    headers: { ...auth, 'Upload-Length': String(bytes.length), 'Upload-Identity': identityHeader(bytes) },
  })
  expect(post.status).toBe(201)
  const url = post.headers.get('location')!
  const patch = await t.req(url, {
    method: 'PATCH',
    headers: { ...auth, ...OCTET, 'Upload-Offset': '0' },
    body: new Uint8Array(bytes),
  })
  expect(patch.status).toBe(204)
  expect(patch.headers.get('upload-identity')).toBe(confirmed)
  return url
}

/** Declares `bytes`' identity; resolves with the new upload's URL and its challenge, if any. */
async function declare(t: Tus, bytes: Buffer, auth: Record<string, string> = {}) {
  const post = await t.req(t.endpoint, {
    method: 'POST',
    headers: { ...auth, 'Upload-Length': String(bytes.length), 'Upload-Identity': identityHeader(bytes) },
  })
  expect(post.status).toBe(201)
  return { url: post.headers.get('location')!, challenge: post.headers.get('upload-challenge') }
}

const prove = (t: Tus, url: string, proof: string, auth: Record<string, string> = {}) =>
  t.req(url, { method: 'PATCH', headers: { ...auth, ...OCTET, 'Upload-Offset': '0', 'Upload-Proof': proof } })

async function downloadSha(t: Tus, url: string, auth: Record<string, string> = {}) {
  const res = await t.req(url, { headers: auth })
  return { status: res.status, sha256: sha256(Buffer.from(await res.arrayBuffer())) }
}

describe('instant-upload on the wire', () => {
  it('is advertised with its algorithm', async () => {
    const t = await start()
    const res = await t.req(t.endpoint, { method: 'OPTIONS' })
    expect(res.headers.get('tus-extension')).toContain('instant-upload')
    expect(res.headers.get('upload-identity-algorithm')).toBe('sha256-4m')
  })

  it('is not advertised when turned off, and a declared identity is then ignored', async () => {
    const t = await start({ instantUpload: false })
    const res = await t.req(t.endpoint, { method: 'OPTIONS' })
    expect(res.headers.get('tus-extension')).not.toContain('instant-upload')
    const bytes = randomBytes(1000)
    await upload(t, bytes, {}, null)
    const again = await declare(t, bytes)
    expect(again.challenge).toBeNull()
  })

  it('refuses a malformed Upload-Identity with 400 and a sentence, creating nothing', async () => {
    const t = await start()
    for (const value of ['sha256-4m=:AAAA:', 'md5=:AAAAAAAAAAAAAAAAAAAAAA==:', 'nonsense']) {
      const res = await t.req(t.endpoint, {
        method: 'POST',
        headers: { 'Upload-Length': '10', 'Upload-Identity': value },
      })
      expect(res.status, value).toBe(400)
      expect(await res.text()).toMatch(/Upload-Identity/)
    }
    const deferred = await t.req(t.endpoint, {
      method: 'POST',
      headers: { 'Upload-Defer-Length': '1', 'Upload-Identity': identityHeader(randomBytes(4)) },
    })
    expect(deferred.status).toBe(400)
  })

  it('a holder proves possession: the second upload finishes with no body and outlives the first', async () => {
    const t = await start()
    const bytes = randomBytes(9 * MIB + 123)
    const first = await upload(t, bytes)
    const head = await t.req(first, { method: 'HEAD' })
    expect(head.headers.get('upload-identity')).toBe(identityHeader(bytes))
    const { url, challenge } = await declare(t, bytes)
    expect(challenge).not.toBeNull()
    const c = parseChallenge(challenge!, bytes.length)!
    expect(c.ranges.reduce((n, r) => n + r.end - r.start + 1, 0)).toBeLessThanOrEqual(MIB)
    const proved = await prove(t, url, proofFor(challenge!, bytes))
    expect(proved.status).toBe(204)
    expect(proved.headers.get('upload-offset')).toBe(String(bytes.length))
    expect(proved.headers.get('upload-identity')).toBe(identityHeader(bytes))
    expect((await t.req(first, { method: 'DELETE' })).status).toBe(204)
    expect(await downloadSha(t, url)).toEqual({ status: 200, sha256: sha256(bytes) })
    const got = await t.req(url, { method: 'HEAD' })
    expect(got.headers.get('upload-identity')).toBe(identityHeader(bytes))
  })

  it('a client that knows only the hash is refused, gets nothing, and cannot try again', async () => {
    const t = await start()
    const bytes = randomBytes(5 * MIB)
    await upload(t, bytes)
    const { url, challenge } = await declare(t, bytes)
    // It knows the identity, and even every byte but the challenged ranges.
    const forged = Buffer.from(bytes)
    for (const r of parseChallenge(challenge!, bytes.length)!.ranges)
      forged[r.start] = forged[r.start]! ^ 0xff
    const refused = await prove(t, url, proofFor(challenge!, forged))
    expect(refused.status).toBe(403)
    expect(await refused.text()).toMatch(/does not match/)
    const head = await t.req(url, { method: 'HEAD' })
    expect(head.headers.get('upload-offset')).toBe('0')
    expect((await t.req(url)).status).toBe(409)
    // One proof per challenge: the right answer now comes too late.
    const late = await prove(t, url, proofFor(challenge!, bytes))
    expect(late.status).toBe(403)
    expect(await late.text()).toMatch(/No challenge is open/)
    // The upload is still an ordinary one: the bytes complete it.
    const patch = await t.req(url, {
      method: 'PATCH',
      headers: { ...OCTET, 'Upload-Offset': '0' },
      body: new Uint8Array(bytes),
    })
    expect(patch.status).toBe(204)
    expect(await downloadSha(t, url)).toEqual({ status: 200, sha256: sha256(bytes) })
  })

  it('a declared identity the stored bytes do not have: 460 at completion, nothing kept', async () => {
    const t = await start()
    const bytes = randomBytes(3 * MIB)
    const other = randomBytes(3 * MIB)
    const post = await t.req(t.endpoint, {
      method: 'POST',
      headers: { 'Upload-Length': String(bytes.length), 'Upload-Identity': identityHeader(other) },
    })
    const url = post.headers.get('location')!
    const half = await t.req(url, {
      method: 'PATCH',
      headers: { ...OCTET, 'Upload-Offset': '0' },
      body: new Uint8Array(bytes.subarray(0, MIB)),
    })
    expect(half.status).toBe(204)
    const last = await t.req(url, {
      method: 'PATCH',
      headers: { ...OCTET, 'Upload-Offset': String(MIB) },
      body: new Uint8Array(bytes.subarray(MIB)),
    })
    expect(last.status).toBe(460)
    // Naming the stored bytes' identity tells clients this is not a damaged chunk to send again.
    expect(last.headers.get('upload-identity')).toBe(identityHeader(bytes))
    expect(await last.text()).toMatch(/not the declared/)
    expect((await t.req(url, { method: 'HEAD' })).status).toBe(404)
    // And nothing was indexed: the same identity finds no stored copy.
    expect((await declare(t, other)).challenge).toBeNull()
    expect((await declare(t, bytes)).challenge).toBeNull()
  })

  it('a proof for a copy removed meanwhile is refused; the upload continues normally', async () => {
    const t = await start()
    const bytes = randomBytes(2 * MIB)
    const first = await upload(t, bytes)
    const { url, challenge } = await declare(t, bytes)
    await t.req(first, { method: 'DELETE' })
    const res = await prove(t, url, proofFor(challenge!, bytes))
    expect(res.status).toBe(403)
    expect(await res.text()).toMatch(/removed meanwhile/)
  })

  it('a small file is challenged whole', async () => {
    const t = await start()
    const bytes = randomBytes(1000)
    await upload(t, bytes)
    const { challenge } = await declare(t, bytes)
    expect(parseChallenge(challenge!, 1000)!.ranges).toEqual([{ start: 0, end: 999 }])
  })
})

describe('instant-upload with tokens', () => {
  it("another subject's identical file is not offered by default", async () => {
    const t = await start({ tokens: { secret: SECRET } })
    const bytes = randomBytes(2 * MIB)
    const alice = await bearer('alice')
    const bob = await bearer('bob')
    await upload(t, bytes, alice)
    expect((await declare(t, bytes, bob)).challenge).toBeNull()
    const own = await declare(t, bytes, alice)
    expect(own.challenge).not.toBeNull()
    expect((await prove(t, own.url, proofFor(own.challenge!, bytes), alice)).status).toBe(204)
  })

  it("with scope 'global' it is, and the copy is the new subject's own", async () => {
    const t = await start({ tokens: { secret: SECRET }, instantUpload: { scope: 'global' } })
    const bytes = randomBytes(2 * MIB)
    const alice = await bearer('alice')
    const bob = await bearer('bob')
    const first = await upload(t, bytes, alice)
    const { url, challenge } = await declare(t, bytes, bob)
    expect(challenge).not.toBeNull()
    expect((await prove(t, url, proofFor(challenge!, bytes), bob)).status).toBe(204)
    expect((await t.req(first, { method: 'DELETE', headers: alice })).status).toBe(204)
    expect(await downloadSha(t, url, bob)).toEqual({ status: 200, sha256: sha256(bytes) })
    // Still bob's alone: alice cannot see it.
    expect((await t.req(url, { method: 'HEAD', headers: alice })).status).toBe(404)
  })
})

it('identityOf agrees with the contract on a multi-block file (sanity of the test helper)', () => {
  const bytes = randomBytes(4 * MIB + 1)
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest()
  const LEAF = 512 * 1024
  const leaves = (b: Uint8Array) =>
    Array.from({ length: Math.ceil(b.length / LEAF) }, (_, i) => sha(b.subarray(i * LEAF, (i + 1) * LEAF)))
  const blocks = [bytes.subarray(0, 4 * MIB), bytes.subarray(4 * MIB)].map((b) =>
    sha(Buffer.concat(leaves(b))),
  )
  expect(leaves(bytes.subarray(0, 4 * MIB))).toHaveLength(8)
  expect(identityOf(bytes)).toEqual(sha(Buffer.concat(blocks)))
})

describe('tus-js-client against a server offering instant-upload', () => {
  it('uploads the same file twice as before: no error, the same requests each time', async () => {
    const t = await start()
    const methods: string[] = []
    t.server.prependListener('request', (req) => methods.push(req.method ?? ''))
    const bytes = randomBytes(3 * MIB)
    const file = path.join(t.dir, '..', 'js-client.bin')
    await writeFile(file, bytes)
    const urls: string[] = []
    for (let i = 0; i < 2; i++) {
      urls.push(
        await jsUpload(file, {
          endpoint: t.endpoint,
          uploadSize: bytes.length,
          metadata: { run: String(i) },
        }),
      )
    }
    expect(methods).toEqual(['POST', 'PATCH', 'POST', 'PATCH'])
    for (const url of urls) expect(await downloadSha(t, url)).toEqual({ status: 200, sha256: sha256(bytes) })
  })
})
