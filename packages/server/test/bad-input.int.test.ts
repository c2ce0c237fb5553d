// Hostile input over real HTTP: every row gets the status tus 1.0 asks for and a body that names
// the problem, and after every row the server still serves a normal upload end to end. The whole
// table runs twice: against an open server, and against one that requires upload tokens (every
// request then carries a valid token, as a real client's would: tokens must change no answer).
import { createHash, randomBytes } from 'node:crypto'
import { copyFile, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { encodeMetadata, parseMetadata } from '@shuttle/protocol'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type RawRequestOptions,
  type RawResponse,
  rawRequest,
  rawSocket,
  setDefaultHeaders,
  TUS_HEADERS,
} from './helpers/http.js'
import { startServer, type TestServer } from './helpers/server.js'
import { bearer, SECRET } from './helpers/tokens.js'
import {
  createUpload,
  download,
  expectServerHealthy,
  headUpload,
  offsetOf,
  PATCH_HEADERS,
  patchUpload,
} from './helpers/tus-client.js'

const MODES = [
  { name: 'open server', tokens: false },
  { name: 'upload tokens required', tokens: true },
] as const

for (const mode of MODES) {
  describe(`hostile input, ${mode.name}`, () => {
    const MAX_SIZE = 10 * 1024 * 1024
    const UPLOAD_LENGTH = 1024
    const UNKNOWN_ID = 'AAAAAAAAAAAAAAAAAAAAAAAA'
    const b64 = (s: string) => Buffer.from(s).toString('base64')
    const digest = (alg: string, data: Buffer) => createHash(alg).update(data).digest('base64')

    let s: TestServer

    /** The Authorization header line for raw-socket requests ('' without tokens). */
    let authLine = ''

    beforeAll(async () => {
      s = await startServer({ maxSize: MAX_SIZE, ...(mode.tokens ? { tokens: { secret: SECRET } } : {}) })
      if (mode.tokens) {
        const auth = await bearer('hostile-input')
        setDefaultHeaders(auth)
        authLine = `Authorization: ${auth.Authorization}\r\n`
      }
    })
    afterAll(async () => {
      setDefaultHeaders({})
      await s?.close()
    })

    /** Everything a row's request may refer to, built by its `setup`. */
    interface Ctx {
      endpoint: string
      /** URL of the upload the setup made (or of an unknown id). */
      url: string
      /** Path part of `url`. */
      path: string
      id: string
      /** Bytes already stored in the setup's upload. */
      stored: Buffer
      /** URL of a second upload, for concatenation rows. */
      other: string
    }

    type Setup =
      | 'none' // no upload; url points at an unknown id
      | 'empty' // Upload-Length 1024, nothing written
      | 'some-bytes' // Upload-Length 1024, 100 bytes written
      | 'deferred-bytes' // Upload-Defer-Length, 100 bytes written
      | 'finished' // 1024 of 1024 written
      | 'partial-finished'
      | 'partial-unfinished'
      | 'final' // final upload made of one finished partial
      | 'decoy' // a finished upload copied OUTSIDE the store as ../victim and ../victim.json

    interface Row {
      name: string
      setup: Setup
      request: (c: Ctx) => RawRequestOptions
      /** What tus 1.0 (or plain HTTP) asks for; several when the spec allows a choice. */
      status: number | readonly number[]
      /** Must match the response body (null only for HEAD, which has no body). */
      body: RegExp | null
      /** Extra checks on the response and on the store after the request. */
      check?: (r: RawResponse, c: Ctx) => Promise<void> | void
    }

    const req = (
      method: string,
      headers: Record<string, string>,
      body?: Buffer | string,
      extra: Partial<RawRequestOptions> = {},
    ) => {
      return (c: Ctx): RawRequestOptions => ({ method, url: c.url, headers, body, ...extra })
    }
    const post = (headers: Record<string, string>, extra: Partial<RawRequestOptions> = {}) => {
      return (c: Ctx): RawRequestOptions => ({ method: 'POST', url: c.endpoint, headers, ...extra })
    }
    const patch = (offset: string | undefined, body: Buffer, headers: Record<string, string> = {}) => {
      return (c: Ctx): RawRequestOptions => ({
        method: 'PATCH',
        url: c.url,
        headers: {
          ...PATCH_HEADERS,
          ...(offset === undefined ? {} : { 'Upload-Offset': offset }),
          ...headers,
        },
        body,
      })
    }
    /** A request whose target is written verbatim (no URL normalisation). */
    const rawTarget = (
      method: string,
      target: string,
      headers: Record<string, string> = { ...TUS_HEADERS },
    ) => {
      return (c: Ctx): RawRequestOptions => ({
        method,
        url: c.endpoint,
        rawPath: target,
        headers: method === 'PATCH' ? { ...PATCH_HEADERS, 'Upload-Offset': '0', ...headers } : headers,
        body: method === 'PATCH' ? Buffer.alloc(10, 1) : undefined,
      })
    }

    const dataFileSize = async (id: string) => (await stat(path.join(s.dir, id))).size
    const dataFile = (id: string) => readFile(path.join(s.dir, id))

    /** The upload's offset and bytes on disk are exactly what the setup stored. */
    async function expectUnchanged(c: Ctx): Promise<void> {
      expect(await offsetOf(c.url)).toBe(c.stored.length)
      expect(await dataFileSize(c.id)).toBe(c.stored.length)
      expect((await dataFile(c.id)).equals(c.stored)).toBe(true)
    }

    /** The decoy outside the store is untouched. */
    async function expectDecoyIntact(): Promise<void> {
      const victim = await readFile(path.join(s.root, 'victim'))
      expect(victim.equals(DECOY_BYTES)).toBe(true)
      expect((await stat(path.join(s.root, 'victim.json'))).isFile()).toBe(true)
    }

    /** The response must not have served the decoy's bytes or any file outside the store. */
    function expectNoLeak(r: RawResponse): void {
      expect(r.bytes.includes(DECOY_BYTES.subarray(0, 64))).toBe(false)
    }

    const DECOY_BYTES = randomBytes(UPLOAD_LENGTH)
    const BYTES = randomBytes(2 * UPLOAD_LENGTH)
    const notFound = /not found|unknown|no such|does not exist/i
    const badId = /not found|unknown|invalid|id/i
    const LONG = 'a'.repeat(10_000)

    async function setUp(setup: Setup): Promise<Ctx> {
      const endpoint = s.endpoint
      const base = { endpoint, stored: Buffer.alloc(0), other: `${endpoint}${UNKNOWN_ID}` }
      const make = async (headers: Record<string, string> = {}, length = UPLOAD_LENGTH) => {
        const h: Record<string, string> = { ...TUS_HEADERS, ...headers }
        if (
          !('Upload-Defer-Length' in h) &&
          !('Upload-Concat' in h && h['Upload-Concat']!.startsWith('final'))
        )
          h['Upload-Length'] = String(length)
        const res = await rawRequest({ method: 'POST', url: endpoint, headers: h })
        expect(res.status, `setup POST: ${res.body}`).toBe(201)
        return new URL(res.headers.location!, endpoint).toString()
      }
      const write = async (url: string, data: Buffer, offset = 0) => {
        const res = await patchUpload(url, offset, data)
        expect(res.status, `setup PATCH: ${res.body}`).toBe(204)
      }
      const ctx = (url: string, stored = Buffer.alloc(0), other = base.other): Ctx => {
        const u = new URL(url)
        return { ...base, url, path: u.pathname, id: u.pathname.split('/').pop()!, stored, other }
      }
      switch (setup) {
        case 'none':
          return ctx(`${endpoint}${UNKNOWN_ID}`)
        case 'empty':
          return ctx(await make())
        case 'some-bytes': {
          const url = await make()
          await write(url, BYTES.subarray(0, 100))
          return ctx(url, BYTES.subarray(0, 100))
        }
        case 'deferred-bytes': {
          const url = await make({ 'Upload-Defer-Length': '1' })
          await write(url, BYTES.subarray(0, 100))
          return ctx(url, BYTES.subarray(0, 100))
        }
        case 'finished': {
          const url = await make()
          await write(url, BYTES.subarray(0, UPLOAD_LENGTH))
          return ctx(url, BYTES.subarray(0, UPLOAD_LENGTH))
        }
        case 'partial-finished': {
          const url = await make({ 'Upload-Concat': 'partial' }, 10)
          await write(url, BYTES.subarray(0, 10))
          return ctx(url, BYTES.subarray(0, 10))
        }
        case 'partial-unfinished': {
          const url = await make({ 'Upload-Concat': 'partial' }, 10)
          await write(url, BYTES.subarray(0, 4))
          return ctx(url, BYTES.subarray(0, 4))
        }
        case 'final': {
          const part = await make({ 'Upload-Concat': 'partial' }, 10)
          await write(part, BYTES.subarray(0, 10))
          const url = await make({ 'Upload-Concat': `final;${part}` })
          return ctx(url, BYTES.subarray(0, 10), part)
        }
        case 'decoy': {
          // A real finished upload, copied next to the store as ../victim: if any request reaches it,
          // an id escaped the store directory.
          const url = await make()
          await write(url, DECOY_BYTES)
          const id = new URL(url).pathname.split('/').pop()!
          await copyFile(path.join(s.dir, id), path.join(s.root, 'victim'))
          const info = (await readFile(path.join(s.dir, `${id}.json`), 'utf8')).replaceAll(id, 'victim')
          await writeFile(path.join(s.root, 'victim.json'), info)
          return ctx(url, DECOY_BYTES)
        }
      }
    }

    const rows: Row[] = [
      // --- Tus-Resumable (core protocol: 412 Precondition Failed + Tus-Version) ---
      {
        name: 'POST without Tus-Resumable',
        setup: 'none',
        request: post({ 'Upload-Length': '10' }),
        status: 412,
        body: /Tus-Resumable/i,
        check: (r) => expect(r.headers['tus-version']).toMatch(/1\.0\.0/),
      },
      {
        name: 'POST with Tus-Resumable 0.2.2',
        setup: 'none',
        request: post({ 'Tus-Resumable': '0.2.2', 'Upload-Length': '10' }),
        status: 412,
        body: /Tus-Resumable|0\.2\.2|version/i,
        check: (r) => expect(r.headers['tus-version']).toMatch(/1\.0\.0/),
      },
      {
        name: 'PATCH without Tus-Resumable',
        setup: 'empty',
        request: (c) => ({
          method: 'PATCH',
          url: c.url,
          headers: { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0' },
          body: BYTES.subarray(0, 10),
        }),
        status: 412,
        body: /Tus-Resumable/i,
        check: async (r, c) => {
          expect(r.headers['tus-version']).toMatch(/1\.0\.0/)
          await expectUnchanged(c)
        },
      },
      {
        name: 'HEAD with Tus-Resumable 2.0.0',
        setup: 'some-bytes',
        request: req('HEAD', { 'Tus-Resumable': '2.0.0' }),
        status: 412,
        body: null,
        check: (r) => expect(r.headers['tus-version']).toMatch(/1\.0\.0/),
      },
      {
        name: 'DELETE with Tus-Resumable 0.2.2 leaves the upload',
        setup: 'some-bytes',
        request: req('DELETE', { 'Tus-Resumable': '0.2.2' }),
        status: 412,
        body: /Tus-Resumable|version/i,
        check: async (_r, c) => expectUnchanged(c),
      },
      // --- PATCH Content-Type (415) ---
      {
        name: 'PATCH without Content-Type',
        setup: 'empty',
        request: (c) => ({
          method: 'PATCH',
          url: c.url,
          headers: { ...TUS_HEADERS, 'Upload-Offset': '0' },
          body: BYTES.subarray(0, 10),
        }),
        status: 415,
        body: /Content-Type|offset\+octet-stream/i,
        check: async (_r, c) => expectUnchanged(c),
      },
      {
        name: 'PATCH with Content-Type application/octet-stream',
        setup: 'empty',
        request: patch('0', BYTES.subarray(0, 10), { 'Content-Type': 'application/octet-stream' }),
        status: 415,
        body: /Content-Type|offset\+octet-stream/i,
        check: async (_r, c) => expectUnchanged(c),
      },
      // --- Upload-Offset ---
      {
        name: 'PATCH Upload-Offset 5 when the upload is at 0 (409)',
        setup: 'empty',
        request: patch('5', BYTES.subarray(0, 10)),
        status: 409,
        body: /offset/i,
        check: async (_r, c) => expectUnchanged(c),
      },
      {
        name: 'PATCH Upload-Offset 0 when the upload is at 100 (409)',
        setup: 'some-bytes',
        request: patch('0', BYTES.subarray(0, 10)),
        status: 409,
        body: /offset/i,
        check: async (_r, c) => expectUnchanged(c),
      },
      ...(
        [
          ['missing', undefined],
          ['negative', '-1'],
          ['non-numeric', 'abc'],
          ['decimal', '1.5'],
          ['hex', '0x10'],
          ['exponent', '1e3'],
          ['over 2^53', '9007199254740993'],
          ['20 digits', '99999999999999999999'],
        ] as const
      ).map(
        ([what, value]): Row => ({
          name: `PATCH Upload-Offset ${what} (${value ?? 'absent'})`,
          setup: 'empty',
          request: patch(value, BYTES.subarray(0, 10)),
          status: 400,
          body: /Upload-Offset/i,
          check: async (_r, c) => expectUnchanged(c),
        }),
      ),
      // --- Upload-Length / Upload-Defer-Length on creation ---
      ...(
        [
          ['negative', '-1'],
          ['non-numeric', 'ten'],
          ['decimal', '10.0'],
          ['hex', '0xff'],
          ['over 2^53', '9007199254740993'],
          ['20 digits', '99999999999999999999'],
        ] as const
      ).map(
        ([what, value]): Row => ({
          name: `POST Upload-Length ${what} (${value})`,
          setup: 'none',
          request: post({ ...TUS_HEADERS, 'Upload-Length': value }),
          status: 400,
          body: /Upload-Length/i,
        }),
      ),
      {
        name: 'POST with neither Upload-Length nor Upload-Defer-Length',
        setup: 'none',
        request: post({ ...TUS_HEADERS }),
        status: 400,
        body: /Upload-Length|Upload-Defer-Length/i,
      },
      {
        name: 'POST with both Upload-Length and Upload-Defer-Length',
        setup: 'none',
        request: post({ ...TUS_HEADERS, 'Upload-Length': '10', 'Upload-Defer-Length': '1' }),
        status: 400,
        body: /Upload-Defer-Length/i,
      },
      {
        name: 'POST Upload-Defer-Length 2 (must be 1)',
        setup: 'none',
        request: post({ ...TUS_HEADERS, 'Upload-Defer-Length': '2' }),
        status: 400,
        body: /Upload-Defer-Length/i,
      },
      {
        name: 'POST Upload-Defer-Length true (must be 1)',
        setup: 'none',
        request: post({ ...TUS_HEADERS, 'Upload-Defer-Length': 'true' }),
        status: 400,
        body: /Upload-Defer-Length/i,
      },
      {
        name: 'POST Upload-Length one byte over Tus-Max-Size (413)',
        setup: 'none',
        request: post({ ...TUS_HEADERS, 'Upload-Length': String(MAX_SIZE + 1) }),
        status: 413,
        body: /max|large|limit|exceed/i,
      },
      // --- writing past the declared length ---
      {
        name: 'PATCH 2048 bytes into a 1024-byte upload (Content-Length known): nothing stored',
        setup: 'empty',
        request: patch('0', BYTES),
        status: [400, 413],
        body: /Upload-Length|exceed|too large|room for 1024/i,
        check: async (_r, c) => expectUnchanged(c),
      },
      {
        name: 'PATCH 2048 bytes chunked into a 1024-byte upload: never more than the length, bytes intact',
        setup: 'some-bytes',
        request: (c) => ({ ...patch('100', BYTES.subarray(100))(c), chunked: true }),
        status: [400, 413],
        body: /Upload-Length|length|exceed|large/i,
        check: async (_r, c) => {
          const offset = await offsetOf(c.url)
          expect(offset).toBeGreaterThanOrEqual(100)
          expect(offset).toBeLessThanOrEqual(UPLOAD_LENGTH)
          expect(await dataFileSize(c.id)).toBe(offset)
          expect((await dataFile(c.id)).equals(BYTES.subarray(0, offset))).toBe(true)
        },
      },
      {
        name: 'PATCH on a finished upload (no room left)',
        setup: 'finished',
        request: patch(String(UPLOAD_LENGTH), BYTES.subarray(0, 10)),
        status: [400, 403, 413],
        body: /finished|complete|length|exceed|large/i,
        check: async (_r, c) => expectUnchanged(c),
      },
      // --- deferred length ---
      {
        name: 'PATCH declares Upload-Length smaller than the stored offset',
        setup: 'deferred-bytes',
        request: patch('100', Buffer.alloc(0), { 'Upload-Length': '50' }),
        status: 400,
        body: /Upload-Length|offset/i,
        check: async (r, c) => {
          const head = await headUpload(c.url)
          expect(head.headers['upload-defer-length']).toBe('1')
          await expectUnchanged(c)
          void r
        },
      },
      {
        name: 'PATCH declares Upload-Length over Tus-Max-Size on a deferred upload',
        setup: 'deferred-bytes',
        request: patch('100', Buffer.alloc(0), { 'Upload-Length': String(MAX_SIZE + 1) }),
        status: 413,
        body: /max|large|limit|exceed/i,
        check: async (_r, c) => expectUnchanged(c),
      },
      {
        name: 'PATCH tries to change an already known Upload-Length',
        setup: 'some-bytes',
        request: patch('100', BYTES.subarray(100, 110), { 'Upload-Length': '2048' }),
        status: 400,
        body: /Upload-Length/i,
        check: async (_r, c) => {
          expect((await headUpload(c.url)).headers['upload-length']).toBe(String(UPLOAD_LENGTH))
          await expectUnchanged(c)
        },
      },
      // --- repeated headers: Node joins them with ", ", which is not a number ---
      {
        name: 'PATCH with two Upload-Offset headers (0 and 5)',
        setup: 'empty',
        request: (c) => ({
          method: 'PATCH',
          url: c.url,
          headers: { ...PATCH_HEADERS, 'Upload-Offset': ['0', '5'] },
          body: BYTES.subarray(0, 10),
        }),
        status: 400,
        body: /Upload-Offset/i,
        check: async (_r, c) => expectUnchanged(c),
      },
      {
        name: 'POST with two Upload-Length headers (10 and 20)',
        setup: 'none',
        request: (c) => ({
          method: 'POST',
          url: c.endpoint,
          headers: { ...TUS_HEADERS, 'Upload-Length': ['10', '20'] },
        }),
        status: 400,
        body: /Upload-Length/i,
      },
      // --- creation-with-upload ---
      {
        name: 'POST creation-with-upload whose body is longer than Upload-Length: 413, no upload created',
        setup: 'none',
        request: (c) => ({
          method: 'POST',
          url: c.endpoint,
          headers: { ...PATCH_HEADERS, 'Upload-Length': '100' },
          body: BYTES.subarray(0, 200),
        }),
        status: 413,
        body: /Upload-Length|room for 100|exceed|too large/i,
        check: (r) => expect(r.headers.location).toBeUndefined(),
      },
      {
        name: 'POST creation-with-upload with a checksum that does not match',
        setup: 'none',
        request: (c) => ({
          method: 'POST',
          url: c.endpoint,
          headers: {
            ...PATCH_HEADERS,
            'Upload-Length': '100',
            'Upload-Checksum': `sha1 ${digest('sha1', BYTES.subarray(1, 101))}`,
          },
          body: BYTES.subarray(0, 100),
        }),
        status: 460,
        body: /checksum/i,
      },
      {
        name: 'X-HTTP-Method-Override: FOO on an upload URL',
        setup: 'some-bytes',
        request: req('POST', { ...TUS_HEADERS, 'X-HTTP-Method-Override': 'FOO' }),
        status: 405,
        body: /method|not allowed/i,
        check: async (_r, c) => expectUnchanged(c),
      },
      {
        name: 'Upload-Metadata with 65 pairs',
        setup: 'none',
        request: post({
          ...TUS_HEADERS,
          'Upload-Length': '10',
          'Upload-Metadata': Array.from({ length: 65 }, (_, i) => `k${i} ${b64('v')}`).join(','),
        }),
        status: 400,
        body: /Upload-Metadata/i,
      },
      // --- unknown ids (404) ---
      {
        name: 'HEAD unknown id',
        setup: 'none',
        request: req('HEAD', { ...TUS_HEADERS }),
        status: 404,
        body: null,
      },
      {
        name: 'PATCH unknown id',
        setup: 'none',
        request: patch('0', BYTES.subarray(0, 10)),
        status: 404,
        body: notFound,
      },
      {
        name: 'DELETE unknown id',
        setup: 'none',
        request: req('DELETE', { ...TUS_HEADERS }),
        status: 404,
        body: notFound,
      },
      {
        name: 'GET unknown id',
        setup: 'none',
        request: req('GET', { ...TUS_HEADERS }),
        status: 404,
        body: notFound,
      },
      // --- Upload-Metadata (400) ---
      {
        name: 'Upload-Metadata value is not base64',
        setup: 'none',
        request: post({ ...TUS_HEADERS, 'Upload-Length': '10', 'Upload-Metadata': 'filename !!!not-base64' }),
        status: 400,
        body: /Upload-Metadata.*base64|base64/i,
      },
      {
        name: 'Upload-Metadata duplicate key',
        setup: 'none',
        request: post({
          ...TUS_HEADERS,
          'Upload-Length': '10',
          'Upload-Metadata': `filename ${b64('a')},filename ${b64('b')}`,
        }),
        status: 400,
        body: /Upload-Metadata.*(twice|duplicate)|twice|duplicate/i,
      },
      {
        name: 'Upload-Metadata of 10 000 characters',
        setup: 'none',
        request: post({
          ...TUS_HEADERS,
          'Upload-Length': '10',
          'Upload-Metadata': `big ${randomBytes(7500).toString('base64')}`,
        }),
        status: 400,
        body: /Upload-Metadata/i,
      },
      {
        name: 'Upload-Metadata with an empty pair (empty key)',
        setup: 'none',
        request: post({ ...TUS_HEADERS, 'Upload-Length': '10', 'Upload-Metadata': `a ${b64('x')},,b` }),
        status: 400,
        body: /Upload-Metadata|key/i,
      },
      // --- checksum extension ---
      {
        name: 'Upload-Checksum mismatch on an empty upload: 460, nothing kept',
        setup: 'empty',
        request: patch('0', BYTES.subarray(0, 100), {
          'Upload-Checksum': `sha1 ${digest('sha1', BYTES.subarray(1, 101))}`,
        }),
        status: 460,
        body: /checksum/i,
        check: async (_r, c) => expectUnchanged(c),
      },
      {
        name: 'Upload-Checksum mismatch after 100 stored bytes: 460, first 100 bytes intact',
        setup: 'some-bytes',
        request: patch('100', BYTES.subarray(100, 400), {
          'Upload-Checksum': `sha256 ${digest('sha256', BYTES.subarray(0, 300))}`,
        }),
        status: 460,
        body: /checksum/i,
        check: async (_r, c) => expectUnchanged(c),
      },
      ...(['crc32', 'sha512'] as const).map(
        (alg): Row => ({
          name: `Upload-Checksum with unsupported algorithm ${alg}`,
          setup: 'empty',
          request: patch('0', BYTES.subarray(0, 10), {
            'Upload-Checksum': `${alg} ${digest('sha512', BYTES.subarray(0, 10))}`,
          }),
          status: 400,
          body: new RegExp(`${alg}|algorithm|checksum`, 'i'),
          check: async (_r, c) => expectUnchanged(c),
        }),
      ),
      {
        name: 'Upload-Checksum without a digest',
        setup: 'empty',
        request: patch('0', BYTES.subarray(0, 10), { 'Upload-Checksum': 'sha1' }),
        status: 400,
        body: /Upload-Checksum/i,
        check: async (_r, c) => expectUnchanged(c),
      },
      {
        name: 'Upload-Checksum digest is not base64',
        setup: 'empty',
        request: patch('0', BYTES.subarray(0, 10), { 'Upload-Checksum': 'sha1 %%%not*base64%%%' }),
        status: 400,
        body: /Upload-Checksum|base64/i,
        check: async (_r, c) => expectUnchanged(c),
      },
      // --- concatenation extension ---
      {
        name: 'Upload-Concat final of an unknown partial',
        setup: 'none',
        request: post({ ...TUS_HEADERS, 'Upload-Concat': `final;${'/files/'}${UNKNOWN_ID}` }),
        status: [400, 404],
        body: /AAAAAAAAAAAAAAAAAAAAAAAA.*(not found|unknown|does not exist)/i,
      },
      {
        name: 'Upload-Concat final of an unfinished partial',
        setup: 'partial-unfinished',
        request: (c) => post({ ...TUS_HEADERS, 'Upload-Concat': `final;${c.url}` })(c),
        status: 400,
        body: /unfinished|not finished|incomplete|complete/i,
      },
      {
        name: 'Upload-Concat final of a non-partial upload',
        setup: 'finished',
        request: (c) => post({ ...TUS_HEADERS, 'Upload-Concat': `final;${c.url}` })(c),
        status: 400,
        body: /partial/i,
      },
      {
        name: 'Upload-Concat with an unknown kind',
        setup: 'none',
        request: post({ ...TUS_HEADERS, 'Upload-Length': '10', 'Upload-Concat': 'sideways' }),
        status: 400,
        body: /Upload-Concat/i,
      },
      {
        name: 'Upload-Concat final naming a path outside the store (../victim)',
        setup: 'decoy',
        request: post({ ...TUS_HEADERS, 'Upload-Concat': 'final;/files/..%2Fvictim' }),
        status: [400, 404],
        body: /victim.*(not found|unknown|invalid|not an upload)/i,
        check: async () => expectDecoyIntact(),
      },
      {
        name: 'PATCH on a final upload (403)',
        setup: 'final',
        request: patch('10', BYTES.subarray(0, 10)),
        status: 403,
        body: /final/i,
        check: async (_r, c) => {
          const got = await download(c.url)
          expect(got.status).toBe(200)
          expect(got.bytes.equals(BYTES.subarray(0, 10))).toBe(true)
          expect(await offsetOf(c.other)).toBe(10)
        },
      },
      // --- methods ---
      {
        name: 'PUT on an upload URL',
        setup: 'some-bytes',
        request: req('PUT', { ...TUS_HEADERS }, 'x'),
        status: 405,
        body: /method|PUT|not allowed/i,
        check: async (_r, c) => expectUnchanged(c),
      },
      {
        name: 'PROPFIND on the endpoint',
        setup: 'none',
        request: (c) => ({ method: 'PROPFIND', url: c.endpoint, headers: { ...TUS_HEADERS } }),
        status: 405,
        body: /method|PROPFIND|not allowed/i,
      },
      {
        name: 'POST on an upload URL',
        setup: 'some-bytes',
        request: req('POST', { ...TUS_HEADERS, 'Upload-Length': '10' }),
        status: [404, 405],
        body: /method|POST|not allowed|not found/i,
        check: async (_r, c) => expectUnchanged(c),
      },
      // --- path safety: ids that try to leave the store directory ---
      ...(
        [
          ['GET', '/files/..%2Fvictim'],
          ['GET', '/files/../victim'],
          ['GET', '/files/%2e%2e%2fvictim'],
          ['GET', '/files/%2E%2E/victim'],
          ['GET', '/files/..%5Cvictim'],
          ['GET', '/files/..\\victim'],
          ['HEAD', '/files/..%2Fvictim'],
          ['HEAD', '/files/..'],
          ['HEAD', '/files/.'],
          ['HEAD', '/files/%2e%2e'],
          ['GET', '/files/..'],
          ['PATCH', '/files/..%2Fvictim'],
          ['PATCH', '/files/%2e%2e%2fvictim'],
          ['DELETE', '/files/..%2Fvictim'],
          ['DELETE', '/files/%2e%2e%2fvictim'],
          ['DELETE', '/files/..%5Cvictim'],
          ['DELETE', '/files/..'],
          ['GET', '/files/%2Fetc%2Fpasswd'],
          ['GET', '/files/victim%00.json'],
          ['HEAD', '/files/abc%00def'],
          ['DELETE', '/files/abc%00def'],
          ['GET', `/files/${LONG}`],
          ['HEAD', `/files/${LONG}`],
          ['PATCH', `/files/${LONG}`],
          ['DELETE', `/files/${LONG}`],
          ['GET', '/files/%ZZ'],
          ['GET', '/files/a/b'],
        ] as const
      ).map(
        ([method, target]): Row => ({
          name: `${method} ${target.length > 60 ? `${target.slice(0, 20)}…(${target.length} chars)` : target} stays in the store`,
          setup: 'decoy',
          request: rawTarget(method, target),
          status: [400, 404],
          body: method === 'HEAD' ? null : badId,
          check: async (r) => {
            expectNoLeak(r)
            await expectDecoyIntact()
          },
        }),
      ),
    ]

    describe('bad input gets the status tus 1.0 asks for and a message that names the problem', () => {
      afterEach(async () => {
        // Whatever the row did, the server still serves a normal upload end to end.
        await expectServerHealthy(s.endpoint)
      })

      it('has at least 30 rows', () => {
        expect(rows.length).toBeGreaterThanOrEqual(30)
      })

      it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
        const c = await setUp(row.setup)
        const r = await rawRequest(row.request(c))
        const allowed = typeof row.status === 'number' ? [row.status] : row.status
        expect(allowed, `status ${r.status}, body: ${r.body.slice(0, 300)}`).toContain(r.status)
        if (row.body) expect(r.body).toMatch(row.body)
        expect(r.status).not.toBe(500)
        await row.check?.(r, c)
      })

      it('a request line Node refuses to parse is rejected without crashing the server', async () => {
        const reply = await rawSocket(s.port, 'PATCH /files/\x00 HTTP/1.1\r\nHost: x\r\n\r\n')
        expect(reply).toMatch(/^HTTP\/1\.1 400/)
      })

      it('a PATCH announcing a 1 TB Content-Length into a 1 KiB upload is refused before its body is read', async () => {
        const c = await setUp('empty')
        const started = Date.now()
        const reply = await rawSocket(
          s.port,
          `PATCH ${c.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n` +
            'Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\n' +
            `${authLine}Content-Length: 1000000000000\r\n\r\nabc`,
        )
        expect(reply).toMatch(/^HTTP\/1\.1 413/)
        expect(reply).toMatch(/room for 1024|Upload-Length|exceed|too large/i)
        expect(Date.now() - started, 'the server must answer and close, not wait for the body').toBeLessThan(
          4000,
        )
        await expectUnchanged(c)
      })

      it('a failed creation-with-upload leaves no unreachable upload behind', async () => {
        const before = (await readdir(s.dir)).filter((n) => n.endsWith('.json')).length
        const r = await rawRequest({
          method: 'POST',
          url: s.endpoint,
          headers: {
            ...PATCH_HEADERS,
            'Upload-Length': '100',
            'Upload-Checksum': `sha1 ${digest('sha1', BYTES)}`,
          },
          body: BYTES.subarray(0, 100),
        })
        expect(r.status).toBe(460)
        const after = (await readdir(s.dir)).filter((n) => n.endsWith('.json')).length
        // Either no upload was created, or the client was told where it is (Location) to retry.
        if (r.headers.location === undefined) expect(after).toBe(before)
      })

      it('a junk Host header is never reflected into Location', async () => {
        for (const host of ['evil.example/../../x', 'a b', '127.0.0.1:1@evil.example']) {
          const r = await rawRequest({
            method: 'POST',
            url: s.endpoint,
            headers: { ...TUS_HEADERS, 'Upload-Length': '1', Host: host },
          })
          expect([201, 400]).toContain(r.status)
          if (r.status === 201) expect(r.headers.location).not.toMatch(/evil|\s/)
        }
      })

      it('hostile metadata values round-trip through HEAD and never split or inject download headers', async () => {
        const metadata: Record<string, string> = {
          filename: 'a"; b\r\nSet-Cookie: pwned=1\r\n\r\n<script>.html',
          filetype: 'text/plain\r\nX-Injected: 1',
          __proto__x: 'x',
          constructor: 'c',
          rtl: '\u202egnp.exe',
        }
        const header = `${encodeMetadata(metadata)},__proto__ ${b64('p')}`
        const data = randomBytes(100)
        const created = await rawRequest({
          method: 'POST',
          url: s.endpoint,
          headers: { ...TUS_HEADERS, 'Upload-Length': '100', 'Upload-Metadata': header },
        })
        expect(created.status, created.body).toBe(201)
        const url = new URL(created.headers.location!, s.endpoint).toString()
        expect((await patchUpload(url, 0, data)).status).toBe(204)
        const head = await headUpload(url)
        const expected = Object.assign(Object.create(null), metadata, JSON.parse('{"__proto__":"p"}'))
        expect(parseMetadata(String(head.headers['upload-metadata']))).toEqual(expected)
        const got = await download(url)
        expect(got.status).toBe(200)
        expect(got.bytes.equals(data)).toBe(true)
        expect(got.headers['set-cookie']).toBeUndefined()
        expect(got.headers['x-injected']).toBeUndefined()
        expect(got.headers['content-type']).toBe('application/octet-stream')
        expect(got.headers['content-disposition']).toMatch(/^attachment/)
        expect(got.headers['content-disposition']).not.toMatch(/[\r\n]/)
        expect(got.headers['x-content-type-options']).toBe('nosniff')
      })

      it('metadata filenames like ../../evil never create files outside the store', async () => {
        const names = [
          '../../evil',
          '../evil',
          '/tmp/evil-abs',
          '..\\..\\evil',
          'a/../../../evil',
          `evil\u0000.txt`,
          LONG,
        ]
        const parentBefore = (await readdir(s.root)).sort()
        const storeParentParent = path.resolve(s.dir, '../..')
        const evilExistedBefore = await exists(path.join(storeParentParent, 'evil'))
        for (const name of names) {
          const data = randomBytes(4096)
          const created = await rawRequest({
            method: 'POST',
            url: s.endpoint,
            headers: {
              ...TUS_HEADERS,
              'Upload-Length': String(data.length),
              'Upload-Metadata': `filename ${b64(name.slice(0, 5000))},filetype ${b64('text/plain')}`,
            },
          })
          expect(created.status, created.body).toBe(201)
          const url = new URL(created.headers.location!, s.endpoint).toString()
          expect(new URL(url).pathname).not.toContain('evil')
          const res = await patchUpload(url, 0, data)
          expect(res.status, res.body).toBe(204)
          const got = await download(url)
          expect(got.status).toBe(200)
          expect(got.bytes.equals(data)).toBe(true)
          // The download must not offer the raw name as a path either.
          expect(got.headers['content-disposition'] ?? '').not.toMatch(/filename="[^"]*[/\\]/)
        }
        expect((await readdir(s.root)).sort()).toEqual(parentBefore)
        if (!evilExistedBefore) expect(await exists(path.join(storeParentParent, 'evil'))).toBe(false)
        for (const entry of await readdir(s.dir)) expect(entry).not.toMatch(/evil|\.\./)
      })
    })

    async function exists(p: string): Promise<boolean> {
      try {
        await stat(p)
        return true
      } catch {
        return false
      }
    }

    describe('expired uploads', () => {
      let e: TestServer
      beforeAll(async () => {
        e = await startServer({
          expireAfter: 400,
          expirySweepInterval: 0,
          ...(mode.tokens ? { tokens: { secret: SECRET } } : {}),
        })
      })
      afterAll(async () => {
        await e?.close()
      })

      it('answer 410 with a message once expired, are swept with their files, and finished ones never expire', async () => {
        const { url: unfinished, id } = await createUpload(e.endpoint, { length: 100 })
        expect((await patchUpload(unfinished, 0, BYTES.subarray(0, 10))).status).toBe(204)
        const head = await headUpload(unfinished)
        expect(head.headers['upload-expires']).toMatch(/GMT$/)
        const { url: finished } = await createUpload(e.endpoint, { length: 10 })
        expect((await patchUpload(finished, 0, BYTES.subarray(0, 10))).status).toBe(204)
        await new Promise((r) => setTimeout(r, 600))

        expect((await headUpload(unfinished)).status).toBe(410)
        const patched = await patchUpload(unfinished, 10, BYTES.subarray(10, 20))
        expect(patched.status).toBe(410)
        expect(patched.body).toMatch(/expired/i)
        expect(await e.tus.sweepExpired()).toBe(1)
        expect([404, 410]).toContain((await headUpload(unfinished)).status)
        expect(await exists(path.join(e.dir, id))).toBe(false)
        expect(await exists(path.join(e.dir, `${id}.json`))).toBe(false)

        const got = await download(finished)
        expect(got.status).toBe(200)
        expect(got.bytes.equals(BYTES.subarray(0, 10))).toBe(true)
        await expectServerHealthy(e.endpoint)
      })
    })
  })
}
