// The security table over real HTTP: every method × every kind of credential. An upload is its
// creator's (the token subject); to anyone else it answers exactly as an id that never existed,
// and a refused request changes nothing and never stalls the owner's upload.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUploadId } from '../src/index.js'
import { type RawResponse, rawRequest, streamingRequest, TUS_HEADERS } from './helpers/http.js'
import { sha256 } from './helpers/pattern.js'
import { startServer, type TestServer } from './helpers/server.js'
import { type Auth, bearer, expiredBearer, forgedBearer, SECRET } from './helpers/tokens.js'
import { PATCH_HEADERS } from './helpers/tus-client.js'

type Who = 'no token' | 'expired' | 'bad signature' | 'wrong subject' | 'right subject'
type Method = 'POST' | 'HEAD' | 'PATCH' | 'GET' | 'DELETE' | 'concatenation'

/** What each method answers to each credential. */
const EXPECTED: Record<Method, Record<Who, number>> = {
  POST: { 'no token': 401, expired: 401, 'bad signature': 401, 'wrong subject': 201, 'right subject': 201 },
  HEAD: { 'no token': 401, expired: 401, 'bad signature': 401, 'wrong subject': 404, 'right subject': 200 },
  PATCH: { 'no token': 401, expired: 401, 'bad signature': 401, 'wrong subject': 404, 'right subject': 204 },
  GET: { 'no token': 401, expired: 401, 'bad signature': 401, 'wrong subject': 404, 'right subject': 200 },
  DELETE: { 'no token': 401, expired: 401, 'bad signature': 401, 'wrong subject': 404, 'right subject': 204 },
  // Another subject's part gets the answer an unknown part gets: 404 naming it.
  concatenation: {
    'no token': 401,
    expired: 401,
    'bad signature': 401,
    'wrong subject': 404,
    'right subject': 201,
  },
}
const BODY_401: Record<Exclude<Who, 'wrong subject' | 'right subject'>, RegExp> = {
  'no token': /needs an upload token: send Authorization: Bearer/,
  expired: /has expired; ask the app for a new one/,
  'bad signature': /not signed by this server's secret/,
}

const LENGTH = 20
const BYTES = randomBytes(LENGTH)

let s: TestServer
let alice: Auth
let mallory: Auth
let creds: Record<Who, Auth>

beforeAll(async () => {
  s = await startServer({ tokens: { secret: SECRET } })
  alice = await bearer('alice')
  mallory = await bearer('mallory')
  creds = {
    'no token': {},
    expired: await expiredBearer('alice'),
    'bad signature': await forgedBearer('alice'),
    'wrong subject': mallory,
    'right subject': alice,
  }
})
afterAll(async () => {
  await s?.close()
})

const send = (method: string, url: string, auth: Auth, headers: Record<string, string> = {}, body?: Buffer) =>
  rawRequest({ method, url, headers: { ...TUS_HEADERS, ...auth, ...headers }, body })

/** Alice's upload: `stored` of LENGTH bytes written; a partial one when `partial`. */
async function aliceUpload(stored: number, partial = false): Promise<string> {
  const created = await send('POST', s.endpoint, alice, {
    'Upload-Length': String(LENGTH),
    'Upload-Metadata': `filename ${btoa('a.txt')},filetype ${btoa('text/plain')}`,
    ...(partial ? { 'Upload-Concat': 'partial' } : {}),
  })
  expect(created.status, created.body).toBe(201)
  const url = new URL(created.headers.location!, s.endpoint).toString()
  if (stored > 0) {
    const r = await send(
      'PATCH',
      url,
      alice,
      { ...PATCH_HEADERS, 'Upload-Offset': '0' },
      BYTES.subarray(0, stored),
    )
    expect(r.status, r.body).toBe(204)
  }
  return url
}

/** The owner's view of the upload's offset; undefined when it is gone. */
async function ownerOffset(url: string): Promise<number | undefined> {
  const r = await send('HEAD', url, alice)
  if (r.status === 404) return undefined
  expect(r.status).toBe(200)
  return Number(r.headers['upload-offset'])
}

function request(method: Method, url: string, auth: Auth): Promise<RawResponse> {
  switch (method) {
    case 'POST':
      return send('POST', s.endpoint, auth, { 'Upload-Length': '5' })
    case 'PATCH':
      return send('PATCH', url, auth, { ...PATCH_HEADERS, 'Upload-Offset': '10' }, BYTES.subarray(10, 15))
    case 'concatenation':
      return send('POST', s.endpoint, auth, { 'Upload-Concat': `final;${new URL(url).pathname}` })
    default:
      return send(method, url, auth)
  }
}

/** Same request for an id that never existed, with the ids masked, must be indistinguishable. */
async function expectLikeUnknown(method: Method, r: RawResponse, url: string, auth: Auth): Promise<void> {
  const unknownUrl = `${s.endpoint}${newUploadId()}`
  const u = await request(method, unknownUrl, auth)
  const mask = (res: RawResponse, target: string) =>
    res.body.replaceAll(new URL(target).pathname.split('/').pop()!, 'ID')
  expect(r.status).toBe(u.status)
  expect(mask(r, url)).toBe(mask(u, unknownUrl))
  expect(r.headers['content-length']).toBe(u.headers['content-length'])
}

const rows = (Object.keys(EXPECTED) as Method[]).flatMap((method) =>
  (Object.keys(EXPECTED[method]) as Who[]).map((who) => ({ method, who, status: EXPECTED[method][who] })),
)

describe('every method × every credential', () => {
  it.each(rows)('$method with $who → $status', async ({ method, who, status }) => {
    // HEAD/PATCH/DELETE work on an unfinished upload, GET and concatenation on finished ones.
    const stored = method === 'GET' || method === 'concatenation' ? LENGTH : 10
    const url = await aliceUpload(stored, method === 'concatenation')
    const r = await request(method, url, creds[who])
    expect(r.status, r.body).toBe(status)

    if (status === 401) {
      expect(r.headers['www-authenticate']).toMatch(/^Bearer realm="uploads", error="invalid_token"/)
      // HEAD answers carry no body; the challenge header says the same.
      if (method !== 'HEAD') expect(r.body).toMatch(BODY_401[who as keyof typeof BODY_401])
    }
    if (who === 'wrong subject' && method !== 'POST') await expectLikeUnknown(method, r, url, mallory)
    if (who === 'wrong subject' && method === 'POST') {
      // A stranger may create uploads of its own; they are its own, not alice's.
      const theirs = new URL(r.headers.location!, s.endpoint).toString()
      expect((await send('HEAD', theirs, mallory)).status).toBe(200)
      expect((await send('HEAD', theirs, alice)).status).toBe(404)
    }
    if (who !== 'right subject') {
      // Nothing a refused request did is visible to the owner.
      expect(await ownerOffset(url)).toBe(stored)
      return
    }
    if (method === 'PATCH') expect(await ownerOffset(url)).toBe(15)
    if (method === 'GET') expect(sha256(r.bytes)).toBe(sha256(BYTES))
    if (method === 'DELETE') expect(await ownerOffset(url)).toBeUndefined()
    if (method === 'concatenation') {
      const final = new URL(r.headers.location!, s.endpoint).toString()
      expect(sha256((await send('GET', final, alice)).bytes)).toBe(sha256(BYTES))
    }
  })
})

describe("a stranger cannot stall the owner's upload", () => {
  it.each(['HEAD', 'PATCH', 'DELETE'] as const)(
    "another subject's %s is refused before any lock: the owner's running PATCH ends with every byte",
    async (method) => {
      const size = 4 * 1024 * 1024
      const data = randomBytes(size)
      const created = await send('POST', s.endpoint, alice, { 'Upload-Length': String(size) })
      const url = new URL(created.headers.location!, s.endpoint).toString()
      const chunks = Array.from({ length: 64 }, (_, i) => data.subarray(i * 65_536, (i + 1) * 65_536))
      const upload = streamingRequest({
        method: 'PATCH',
        url,
        headers: { ...PATCH_HEADERS, ...alice, 'Upload-Offset': '0', 'Content-Length': size },
        body: chunks,
      })
      await upload.waitSent(1024 * 1024)
      upload.pause()
      // While the owner's body is held mid-way, the stranger's requests are answered at once.
      const r = await request(method, url, mallory)
      expect(r.status, r.body).toBe(404)
      upload.resume()
      const { response, error } = await upload.result
      expect(error).toBeUndefined()
      expect(response?.status, response?.body).toBe(204)
      expect(response?.headers['upload-offset']).toBe(String(size))
      expect(sha256((await send('GET', url, alice)).bytes)).toBe(sha256(data))
    },
  )
})

describe('public read and ownerless uploads', () => {
  let shared: string
  beforeAll(async () => {
    const owner = await bearer('alice', { publicRead: true })
    const created = await send('POST', s.endpoint, owner, { 'Upload-Length': String(LENGTH) })
    shared = new URL(created.headers.location!, s.endpoint).toString()
    const r = await send('PATCH', shared, owner, { ...PATCH_HEADERS, 'Upload-Offset': '0' }, BYTES)
    expect(r.status).toBe(204)
  })

  it.each([
    ['GET', 'no token', 200],
    ['GET', 'wrong subject', 200],
    ['HEAD', 'no token', 401],
    ['HEAD', 'wrong subject', 404],
    ['PATCH', 'wrong subject', 404],
    ['DELETE', 'wrong subject', 404],
  ] as const)(
    'a public-read upload: %s with %s → %s (only downloads are public)',
    async (method, who, status) => {
      const r = await request(method, shared, creds[who])
      expect(r.status, r.body).toBe(status)
      if (status === 200) expect(sha256(r.bytes)).toBe(sha256(BYTES))
      expect(await ownerOffset(shared)).toBe(LENGTH)
    },
  )

  it('an upload stored without an owner (before tokens were on) is nobody’s: 404 like an unknown id', async () => {
    const id = newUploadId()
    await s.tus.store.create({
      id,
      size: 5,
      metadata: {},
      createdAt: Date.now(),
      expiresAt: undefined,
      concat: undefined,
    })
    expect((await send('HEAD', `${s.endpoint}${id}`, alice)).status).toBe(404)
    const r = await send('GET', `${s.endpoint}${id}`, alice)
    expect(r.status).toBe(404)
    expect(r.body).toBe(`Upload ${id} not found`)
  })
})
