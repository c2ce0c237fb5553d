import { NetworkError } from '@shuttle/protocol'
import { describe, expect, it } from 'vitest'
import { createMemoryCheckpointStore } from '../../checkpoints/memory-store.js'
import { makeCreateUploader } from '../../create-uploader.js'
import type { FileReaderPort, HttpRequest } from '../../ports.js'
import { createFakeTus, type FakeTus, flush, untilAborted } from '../../test-support/fake-tus.js'
import {
  type BytesInput,
  bytesReader,
  createTestUploader,
  file,
  testPlatform,
} from '../../test-support/uploader.js'
import { splitParts } from './concat.js'
import type { TusCheckpointState } from './tus-state.js'

const endpoint = 'http://tus.test/files'

describe('tus transport', () => {
  it('creates with Upload-Length and Upload-Metadata, then PATCHes with offset headers', async () => {
    const fake = createFakeTus()
    const up = createTestUploader(fake)({ endpoint, chunkSize: 400, metadata: { owner: 'me' } })
    const [id] = up.add(file('a', 1000), { album: 'x' }) as [string]
    await flush(100)
    // OPTIONS first: the server might offer creation-with-upload (this one does not).
    const [options, post, ...patches] = fake.log
    expect(options?.method).toBe('OPTIONS')
    expect(post?.bodyStart).toBeUndefined()
    expect(post?.headers['Upload-Length']).toBe('1000')
    expect(post?.headers['Tus-Resumable']).toBe('1.0.0')
    expect(post?.headers['Upload-Metadata']).toBe(
      'filename YQ==,filetype YXBwbGljYXRpb24vb2N0ZXQtc3RyZWFt,owner bWU=,album eA==',
    )
    expect(patches.map((p) => [p.headers['Upload-Offset'], p.bodyStart, p.bodyEnd])).toEqual([
      ['0', 0, 400],
      ['400', 400, 800],
      ['800', 800, 1000],
    ])
    expect(patches[0]?.headers['Content-Type']).toBe('application/offset+octet-stream')
    expect(up.getFile(id)).toMatchObject({ status: 'completed', bytesConfirmed: 1000, percent: 100 })
  })

  it('resolves a relative Location against the endpoint', async () => {
    const fake = createFakeTus()
    const send = fake.client.send
    fake.client.send = async (req) => {
      const res = await send(req)
      if (req.method !== 'POST') return res
      return {
        ...res,
        header: (n: string) => (n === 'location' ? `/files/${fake.uploads.size}` : res.header(n)),
      }
    }
    const up = createTestUploader(fake)({ endpoint })
    const created: string[] = []
    up.on('upload-created', ({ url }) => created.push(url))
    up.add(file('a'))
    await flush(50)
    expect(created).toEqual(['http://tus.test/files/1'])
  })

  it('on 409 it HEADs, resyncs and continues', async () => {
    const fake = createFakeTus()
    let first = true
    fake.intercept = (req) => {
      if (req.method === 'PATCH' && first) {
        first = false
        // Someone else advanced the upload: the server holds 100 bytes we don't know about.
        const up = fake.uploads.get(req.url)
        if (up) up.offset = 100
        return 409
      }
      return undefined
    }
    const up = createTestUploader(fake)({ endpoint, chunkSize: 1000 })
    const [id] = up.add(file('a', 300)) as [string]
    await flush(100)
    expect(fake.log.map((r) => r.method)).toEqual(['OPTIONS', 'POST', 'PATCH', 'HEAD', 'PATCH'])
    expect(fake.log.at(-1)?.headers['Upload-Offset']).toBe('100')
    expect(up.getFile(id)?.status).toBe('completed')
  })

  it('resumes a checkpoint from another session with HEAD (no new upload)', async () => {
    const fake = createFakeTus()
    fake.hold = true
    const store = createMemoryCheckpointStore()
    const first = createTestUploader(fake)({ endpoint, chunkSize: 100, checkpointStore: store })
    const [a] = first.add(file('a', 300)) as [string]
    await flush(50)
    fake.release()
    await flush(50)
    expect(first.getFile(a)?.bytesConfirmed).toBe(100)
    await first.destroy()
    expect(await store.list?.()).toHaveLength(1)

    fake.hold = false
    const second = createTestUploader(fake)({ endpoint, chunkSize: 100, checkpointStore: store })
    const [b] = second.add(file('a', 300)) as [string]
    await flush(200)
    expect(second.getFile(b)?.status).toBe('completed')
    expect(fake.log.filter((r) => r.method === 'POST')).toHaveLength(1)
    expect(fake.uploads.size).toBe(1)
    expect(await store.list?.()).toHaveLength(0) // removed on completion
  })

  it('404 on resume creates a fresh upload once and emits upload-restarted', async () => {
    const fake = createFakeTus()
    fake.hold = true
    const up = createTestUploader(fake)({ endpoint })
    const restarted: unknown[] = []
    up.on('upload-restarted', (e) => restarted.push(e))
    const [id] = up.add(file('a', 300)) as [string]
    await flush(50)
    up.pause(id)
    const oldUrl = up.getFile(id)?.url as string
    fake.uploads.delete(oldUrl)
    fake.hold = false
    up.resume(id)
    await flush(100)
    expect(restarted).toEqual([{ id, reason: 'not-found', oldUrl }])
    expect(up.getFile(id)?.status).toBe('completed')
    expect(up.getFile(id)?.url).not.toBe(oldUrl)
    expect(fake.log.filter((r) => r.method === 'POST')).toHaveLength(2)
  })

  it('sends Upload-Checksum per PATCH when asked and advertised', async () => {
    const fake = createFakeTus()
    const up = createTestUploader(fake)({ endpoint, chunkSize: 100, checksum: 'sha256' })
    up.add(file('a', 150))
    await flush(100)
    expect(fake.log[0]?.method).toBe('OPTIONS')
    const patches = fake.log.filter((r) => r.method === 'PATCH')
    expect(patches).toHaveLength(2)
    expect(patches.every((p) => p.headers['Upload-Checksum'] === 'sha256 AQID')).toBe(true)
  })

  it.each([
    ['a File (preferBody): its slice goes, the bytes read are only hashed', true, [0, 100], [100, 150]],
    ['an in-memory Blob: the bytes read go (its slice would be one more copy)', false, [], []],
  ])('a checksummed chunk of %s', async (_, preferBody, first, second) => {
    const fake = createFakeTus()
    const withBody: FileReaderPort = {
      ...bytesReader,
      open: async (input, signal) => ({
        ...(await bytesReader.open(input, signal)),
        body: (s: number, e: number) => ({ s, e }),
        preferBody,
      }),
    }
    const up = makeCreateUploader<BytesInput>({ ...testPlatform(fake), fileReader: () => withBody })({
      endpoint,
      chunkSize: 100,
      checksum: 'sha256',
      identity: false,
    })
    up.add(file('a', 150))
    await flush(100)
    const patches = fake.log.filter((r) => r.method === 'PATCH')
    const range = (p: (typeof patches)[number]) => (p.bodyStart === undefined ? [] : [p.bodyStart, p.bodyEnd])
    expect(patches.map(range)).toEqual([first, second])
    expect(patches.every((p) => p.headers['Upload-Checksum'] === 'sha256 AQID')).toBe(true)
    expect([...(fake.uploads.get(`${endpoint}/1`)?.bytes ?? [])]).toEqual([...file('a', 150).data])
  })

  it('parallelUploads uses concatenation: partial uploads, then a final POST', async () => {
    const fake = createFakeTus()
    const up = createTestUploader(fake)({ endpoint, parallelUploads: 3 })
    const [id] = up.add(file('a', 1000)) as [string]
    await flush(200)
    const posts = fake.log.filter((r) => r.method === 'POST')
    expect(posts.slice(0, 3).map((p) => p.headers['Upload-Concat'])).toEqual([
      'partial',
      'partial',
      'partial',
    ])
    expect(posts.slice(0, 3).map((p) => p.headers['Upload-Length'])).toEqual(['333', '333', '334'])
    expect(posts[3]?.headers['Upload-Concat']).toBe(`final;${endpoint}/1 ${endpoint}/2 ${endpoint}/3`)
    expect(up.getFile(id)).toMatchObject({ status: 'completed', bytesConfirmed: 1000 })
    const bytes = [1, 2, 3].flatMap((n) => [...(fake.uploads.get(`${endpoint}/${n}`)?.bytes ?? [])])
    expect(bytes).toEqual([...file('a', 1000).data])
  })

  it('parallel parts resume individually and cancel deletes every part', async () => {
    const fake = createFakeTus()
    fake.hold = true
    const store = createMemoryCheckpointStore()
    const up = createTestUploader(fake)({
      endpoint,
      parallelUploads: 2,
      chunkSize: 100,
      checkpointStore: store,
    })
    const [id] = up.add(file('a', 400)) as [string]
    await flush(50)
    fake.release() // the first chunk of each part is confirmed
    await flush(50)
    up.pause(id)
    expect(up.getFile(id)?.bytesConfirmed).toBe(200)
    const [saved] = (await store.list?.()) ?? []
    expect((saved?.checkpoint.state as TusCheckpointState | undefined)?.parts?.map((p) => p.url)).toEqual([
      `${endpoint}/1`,
      `${endpoint}/2`,
    ])
    fake.hold = false
    up.resume(id)
    await flush(200)
    expect(up.getFile(id)?.status).toBe('completed')
    const afterPause = fake.log.slice(fake.log.findIndex((r) => r.method === 'HEAD'))
    expect(afterPause.filter((r) => r.method === 'POST').map((r) => r.headers['Upload-Concat'])).toEqual([
      `final;${endpoint}/1 ${endpoint}/2`,
    ])
    expect(afterPause.filter((r) => r.method === 'PATCH').map((r) => r.headers['Upload-Offset'])).toEqual([
      '100',
      '100',
    ])

    const [other] = up.add(file('b', 400)) as [string]
    fake.hold = true
    await flush(50)
    await up.cancel(other)
    const deleted = fake.log.filter((r) => r.method === 'DELETE').map((r) => r.url)
    expect(deleted).toEqual([`${endpoint}/4`, `${endpoint}/5`])
    expect(await store.list?.()).toEqual([])
  })

  it('splitParts covers the file without gaps', () => {
    expect(splitParts(10, 3)).toEqual([
      { start: 0, end: 3 },
      { start: 3, end: 6 },
      { start: 6, end: 10 },
    ])
    expect(splitParts(2, 5)).toHaveLength(2)
  })
})

describe('auth', () => {
  it('401s from several files cause ONE onAuthExpired call, then each resumes (no new upload)', async () => {
    const fake = createFakeTus()
    const serverToken = 'v2' // the server already rotated; POSTs are open, PATCH/HEAD need the token
    let clientToken = 'v1'
    fake.intercept = (req) =>
      req.method !== 'POST' && req.headers.Authorization !== `Bearer ${serverToken}` ? 401 : undefined
    let calls = 0
    const up = createTestUploader(fake)({
      endpoint,
      headers: () => ({ Authorization: `Bearer ${clientToken}` }),
      onAuthExpired: async () => {
        calls++
        await flush(5)
        clientToken = 'v2'
      },
    })
    const authEvents: string[] = []
    up.on('auth-expired', ({ id }) => authEvents.push(id))
    const ids = up.add([file('a'), file('b'), file('c')])
    await flush(300)
    expect(authEvents).toHaveLength(3)
    expect(calls).toBe(1)
    expect(ids.map((id) => up.getFile(id)?.status)).toEqual(['completed', 'completed', 'completed'])
    expect(fake.uploads.size).toBe(3)
    expect(fake.log.filter((r) => r.method === 'HEAD')).toHaveLength(3)
  })

  // Short-lived tokens on a slow network: each fresh token works for the HEAD, then has expired by
  // the PATCH behind it. Credentials that worked and expired are a new expiry, not a refused refresh.
  it('a token that worked and expired before the next request is refreshed again, past the two-refresh limit', async () => {
    const fake = createFakeTus()
    let token = 0
    const uses = new Map<string, number>()
    fake.intercept = (req) => {
      if (req.method === 'POST' || req.method === 'OPTIONS') return undefined
      const t = req.headers.Authorization ?? ''
      const n = (uses.get(t) ?? 0) + 1
      uses.set(t, n)
      // Tokens 0-3 expire after one request; token 4 lasts.
      return token < 4 && n > 1 ? 401 : undefined
    }
    let calls = 0
    const up = createTestUploader(fake)({
      endpoint,
      chunkSize: 100,
      headers: () => ({ Authorization: `Bearer t${token}` }),
      onAuthExpired: async () => {
        calls++
        token++
      },
    })
    const [id] = up.add(file('a', 1000)) as [string]
    await flush(400)
    expect(up.getFile(id)?.status).toBe('completed')
    expect(calls).toBe(4)
  })

  it('a refreshed token refused at once still ends the file after two refreshes', async () => {
    const fake = createFakeTus()
    fake.intercept = (req) => (req.method === 'PATCH' || req.method === 'HEAD' ? 401 : undefined)
    let calls = 0
    const up = createTestUploader(fake)({
      endpoint,
      onAuthExpired: async () => {
        calls++
      },
    })
    const [id] = up.add(file('a')) as [string]
    await flush(200)
    expect(up.getFile(id)?.error?.code).toBe('ERR_AUTH_EXPIRED')
    expect(up.getFile(id)?.error?.message).toMatch(/^Still unauthorized after refreshing credentials/)
    expect(calls).toBe(2)
  })

  it('without onAuthExpired a 401 fails the file with the HttpStatusError', async () => {
    const fake = createFakeTus()
    fake.intercept = (req) => (req.method === 'PATCH' ? 401 : undefined)
    const up = createTestUploader(fake)({ endpoint })
    const [id] = up.add(file('a')) as [string]
    await flush(50)
    expect(up.getFile(id)?.status).toBe('failed')
    expect(up.getFile(id)?.error).toMatchObject({ status: 401 })
  })

  it('a throwing onAuthExpired fails with ERR_AUTH_EXPIRED', async () => {
    const fake = createFakeTus()
    fake.intercept = (req) => (req.method === 'PATCH' ? 403 : undefined)
    const up = createTestUploader(fake)({
      endpoint,
      onAuthExpired: async () => {
        throw new Error('login required')
      },
    })
    const [id] = up.add(file('a')) as [string]
    await flush(50)
    expect(up.getFile(id)?.error?.code).toBe('ERR_AUTH_EXPIRED')
  })
})

describe('creation-with-upload', () => {
  const CWU = 'creation,creation-with-upload,termination,checksum,concatenation'
  const methods = (fake: FakeTus) => fake.log.map((r) => r.method)
  const bodyOf = (r: FakeTus['log'][number] | undefined) =>
    r?.bodyStart === undefined ? undefined : [r.bodyStart, r.bodyEnd]

  it('sends the whole file in the POST when it fits: one OPTIONS, one POST, no PATCH', async () => {
    const fake = createFakeTus()
    fake.extensions = CWU
    const up = createTestUploader(fake)({ endpoint })
    const created: string[] = []
    up.on('upload-created', ({ url }) => created.push(url))
    const ids = up.add([file('a', 1000), file('b', 1000), file('c', 1000)])
    await flush(200)
    expect(methods(fake)).toEqual(['OPTIONS', 'POST', 'POST', 'POST'])
    const posts = fake.log.filter((r) => r.method === 'POST')
    expect(posts.map(bodyOf)).toEqual([
      [0, 1000],
      [0, 1000],
      [0, 1000],
    ])
    expect(posts.every((p) => p.headers['Content-Type'] === 'application/offset+octet-stream')).toBe(true)
    expect(posts.every((p) => p.headers['Upload-Length'] === '1000')).toBe(true)
    expect(ids.map((id) => up.getFile(id)?.status)).toEqual(['completed', 'completed', 'completed'])
    expect(created).toHaveLength(3)
    expect([...(fake.uploads.get(`${endpoint}/1`)?.bytes ?? [])]).toEqual([...file('a', 1000).data])
  })

  it('sends min(size, creationWithUpload, chunkSize) in the POST, then PATCHes that end on multiples of chunkSize', async () => {
    const fake = createFakeTus()
    fake.extensions = CWU
    const up = createTestUploader(fake)({ endpoint, creationWithUpload: 300, chunkSize: 400 })
    up.add(file('a', 1000))
    await flush(200)
    expect(fake.log.map((r) => [r.method, r.headers['Upload-Offset'], bodyOf(r)])).toEqual([
      ['OPTIONS', undefined, undefined],
      ['POST', undefined, [0, 300]],
      // One short PATCH realigns: every later one ends where a store with 400-byte parts ends a part.
      ['PATCH', '300', [300, 400]],
      ['PATCH', '400', [400, 800]],
      ['PATCH', '800', [800, 1000]],
    ])

    const small = createFakeTus()
    small.extensions = CWU
    const up2 = createTestUploader(small)({ endpoint, chunkSize: 100 })
    const [id] = up2.add(file('a', 250)) as [string]
    await flush(200)
    expect(small.log.map((r) => [r.method, bodyOf(r)])).toEqual([
      ['OPTIONS', undefined],
      ['POST', [0, 100]],
      ['PATCH', [100, 200]],
      ['PATCH', [200, 250]],
    ])
    expect(up2.getFile(id)?.status).toBe('completed')
    expect([...(small.uploads.get(`${endpoint}/1`)?.bytes ?? [])]).toEqual([...file('a', 250).data])
  })

  it('reports POST body progress as bytesSent and the answered Upload-Offset as confirmed', async () => {
    const fake = createFakeTus()
    fake.extensions = CWU
    const send = fake.client.send
    let releasePost: () => void = () => {}
    fake.client.send = async (req) => {
      if (req.method === 'POST') {
        req.onUploadProgress?.(250) // a quarter of the body is on the wire
        await new Promise<void>((resolve) => {
          releasePost = resolve
        })
      }
      return send(req)
    }
    fake.hold = true // the PATCH after the POST waits
    const up = createTestUploader(fake)({ endpoint, creationWithUpload: 600 })
    const [id] = up.add(file('a', 1000)) as [string]
    await flush(100)
    expect(up.getFile(id)).toMatchObject({ status: 'uploading', bytesSent: 250, bytesConfirmed: 0 })
    releasePost()
    await flush(100)
    expect(up.getFile(id)).toMatchObject({ status: 'uploading', bytesConfirmed: 600 })
    expect(up.getFile(id)?.url).toBe(`${endpoint}/1`)
    fake.hold = false
    fake.release()
    await flush(100)
    expect(up.getFile(id)).toMatchObject({ status: 'completed', bytesConfirmed: 1000 })
  })

  it('with an Upload-Checksum in effect the POST body is checksummed too; never with creationWithUpload: 0, or for a 0-byte file', async () => {
    const withChecksum = createFakeTus()
    withChecksum.extensions = CWU
    createTestUploader(withChecksum)({ endpoint, chunkSize: 100, checksum: 'sha256' }).add(file('a', 150))
    await flush(100)
    expect(methods(withChecksum)).toEqual(['OPTIONS', 'POST', 'PATCH'])
    expect(withChecksum.log[1]?.headers['Content-Type']).toBe('application/offset+octet-stream')
    expect(withChecksum.log[1]?.headers['Upload-Checksum']).toBe('sha256 AQID')
    expect(withChecksum.log[2]?.headers['Upload-Offset']).toBe('100')
    expect(withChecksum.log[2]?.headers['Upload-Checksum']).toBe('sha256 AQID')

    const disabled = createFakeTus()
    disabled.extensions = CWU
    createTestUploader(disabled)({ endpoint, creationWithUpload: 0 }).add(file('a', 150))
    await flush(100)
    // Nothing else needs OPTIONS, so it is not even asked.
    expect(methods(disabled)).toEqual(['POST', 'PATCH'])
    expect(disabled.log[0]?.headers['Content-Type']).toBeUndefined()

    const empty = createFakeTus()
    empty.extensions = CWU
    const up = createTestUploader(empty)({ endpoint })
    const [id] = up.add(file('empty', 0)) as [string]
    await flush(100)
    expect(methods(empty)).toEqual(['POST'])
    expect(bodyOf(empty.log[0])).toBeUndefined()
    expect(up.getFile(id)).toMatchObject({ status: 'completed', bytesConfirmed: 0, size: 0 })
  })

  it('a server that does not list it gets a POST without body', async () => {
    const fake = createFakeTus() // Tus-Extension without creation-with-upload
    const up = createTestUploader(fake)({ endpoint })
    const [id] = up.add(file('a', 500)) as [string]
    await flush(100)
    expect(methods(fake)).toEqual(['OPTIONS', 'POST', 'PATCH'])
    expect(fake.log.map(bodyOf)).toEqual([undefined, undefined, [0, 500]])
    expect(up.getFile(id)?.status).toBe('completed')
  })

  it('a failed OPTIONS means "not offered": no retry, no failure, a POST without body', async () => {
    for (const fail of ['network', 500] as const) {
      const fake = createFakeTus()
      fake.extensions = CWU
      const send = fake.client.send
      fake.client.send = async (req) => {
        if (req.method !== 'OPTIONS') return send(req)
        if (fail === 'network') throw new NetworkError('OPTIONS reset')
        return { status: fail, header: () => undefined, body: '' }
      }
      const up = createTestUploader(fake)({ endpoint })
      const retries: unknown[] = []
      up.on('retry', (e) => retries.push(e))
      const [id] = up.add(file('a', 500)) as [string]
      await flush(100)
      expect(retries).toEqual([])
      expect(up.getFile(id)?.status).toBe('completed')
      expect(fake.log.map(bodyOf)).toEqual([undefined, [0, 500]])
    }
  })

  it('resuming from a checkpoint sends no OPTIONS and no POST: HEAD, then PATCH', async () => {
    const fake = createFakeTus()
    fake.extensions = CWU
    fake.hold = true
    const store = createMemoryCheckpointStore()
    const first = createTestUploader(fake)({ endpoint, chunkSize: 100, checkpointStore: store })
    const [a] = first.add(file('a', 300)) as [string]
    await flush(100)
    expect(first.getFile(a)?.bytesConfirmed).toBe(100) // the POST body; the first PATCH is held
    await first.destroy()
    fake.hold = false
    const before = fake.log.length
    const second = createTestUploader(fake)({ endpoint, chunkSize: 100, checkpointStore: store })
    const [b] = second.add(file('a', 300)) as [string]
    await flush(200)
    expect(second.getFile(b)?.status).toBe('completed')
    expect(fake.log.slice(before).map((r) => [r.method, r.headers['Upload-Offset']])).toEqual([
      ['HEAD', undefined],
      ['PATCH', '100'],
      ['PATCH', '200'],
    ])
    expect([...(fake.uploads.get(`${endpoint}/1`)?.bytes ?? [])]).toEqual([...file('a', 300).data])
  })

  it('resuming at an offset that is not a multiple of chunkSize realigns with one shorter PATCH', async () => {
    const fake = createFakeTus()
    fake.extensions = CWU
    fake.hold = true
    const store = createMemoryCheckpointStore()
    // 150 bytes go in the POST; the next PATCH is held, so the server keeps 150.
    const first = createTestUploader(fake)({ endpoint, chunkSize: 150, checkpointStore: store })
    const [a] = first.add(file('a', 420)) as [string]
    await flush(100)
    expect(first.getFile(a)?.bytesConfirmed).toBe(150)
    await first.destroy()
    fake.hold = false
    const before = fake.log.length
    const second = createTestUploader(fake)({ endpoint, chunkSize: 100, checkpointStore: store })
    const [b] = second.add(file('a', 420)) as [string]
    await flush(200)
    expect(second.getFile(b)?.status).toBe('completed')
    expect(fake.log.slice(before).map((r) => [r.method, bodyOf(r)])).toEqual([
      ['HEAD', undefined],
      ['PATCH', [150, 200]],
      ['PATCH', [200, 300]],
      ['PATCH', [300, 400]],
      ['PATCH', [400, 420]],
    ])
    expect([...(fake.uploads.get(`${endpoint}/1`)?.bytes ?? [])]).toEqual([...file('a', 420).data])
  })

  it('no valid Upload-Offset in the answer counts as 0; a 409 then resyncs by HEAD', async () => {
    for (const answered of [undefined, '999999', 'x']) {
      const fake = createFakeTus()
      fake.extensions = CWU
      const send = fake.client.send
      fake.client.send = async (req) => {
        const res = await send(req)
        if (req.method !== 'POST') return res
        return { ...res, header: (n: string) => (n === 'upload-offset' ? answered : res.header(n)) }
      }
      const up = createTestUploader(fake)({ endpoint, creationWithUpload: 400 })
      const [id] = up.add(file('a', 1000)) as [string]
      await flush(200)
      // The fake did store 400 bytes: PATCH from 0 is refused, HEAD says 400, PATCH from there.
      expect(fake.log.map((r) => [r.method, r.headers['Upload-Offset']])).toEqual([
        ['OPTIONS', undefined],
        ['POST', undefined],
        ['PATCH', '0'],
        ['HEAD', undefined],
        ['PATCH', '400'],
      ])
      expect(up.getFile(id)?.status).toBe('completed')
      expect([...(fake.uploads.get(`${endpoint}/1`)?.bytes ?? [])]).toEqual([...file('a', 1000).data])
    }
  })

  it('concatenation parts are created without body', async () => {
    const fake = createFakeTus()
    fake.extensions = CWU
    const up = createTestUploader(fake)({ endpoint, parallelUploads: 2 })
    const [id] = up.add(file('a', 1000)) as [string]
    await flush(200)
    const posts = fake.log.filter((r) => r.method === 'POST')
    expect(posts.map((p) => [p.headers['Upload-Concat']?.split(';')[0], bodyOf(p)])).toEqual([
      ['partial', undefined],
      ['partial', undefined],
      ['final', undefined],
    ])
    expect(up.getFile(id)?.status).toBe('completed')
  })

  it('pause during the POST lets it finish (no orphaned upload); resume HEADs that upload', async () => {
    const fake = createFakeTus()
    fake.extensions = CWU
    const send = fake.client.send
    let releasePost: () => void = () => {}
    const postHeld = new Promise<void>((resolve) => {
      releasePost = resolve
    })
    let postSignal: HttpRequest['signal'] | undefined
    fake.client.send = async (req) => {
      if (req.method === 'POST') {
        postSignal = req.signal
        req.onUploadProgress?.(10)
        await postHeld
      }
      return send(req)
    }
    const up = createTestUploader(fake)({ endpoint })
    const retries: unknown[] = []
    up.on('retry', (e) => retries.push(e))
    const [id] = up.add(file('a', 500)) as [string]
    await flush(50)
    up.pause(id)
    await flush(50)
    expect(up.getFile(id)).toMatchObject({ status: 'paused', bytesConfirmed: 0 })
    expect(postSignal?.aborted).toBe(false)
    releasePost()
    await flush(50)
    expect(up.getFile(id)?.status).toBe('paused')
    expect(up.getFile(id)?.url).toBe([...fake.uploads.keys()][0])
    expect(methods(fake)).toEqual(['OPTIONS', 'POST'])
    up.resume(id)
    await flush(100)
    expect(retries).toEqual([])
    expect(up.getFile(id)?.status).toBe('completed')
    expect(methods(fake)).toEqual(['OPTIONS', 'POST', 'HEAD'])
    expect(fake.uploads.size).toBe(1)
  })

  it('a file paused while its OPTIONS is in flight does not fail the others waiting for it', async () => {
    const fake = createFakeTus()
    fake.extensions = CWU
    const send = fake.client.send
    let holdFirstOptions = true
    fake.client.send = async (req) => {
      if (req.method === 'OPTIONS' && holdFirstOptions) {
        holdFirstOptions = false
        fake.log.push({ method: 'OPTIONS(held)', url: req.url, headers: req.headers })
        await untilAborted(req.signal)
      }
      return send(req)
    }
    const up = createTestUploader(fake)({ endpoint })
    const retries: unknown[] = []
    up.on('retry', (e) => retries.push(e))
    const [a, b, c] = up.add([file('a', 100), file('b', 100), file('c', 100)]) as [string, string, string]
    await flush(50)
    expect(methods(fake)).toEqual(['OPTIONS(held)'])
    up.pause(a)
    await flush(200)
    expect(retries).toEqual([])
    expect([b, c].map((id) => up.getFile(id)?.status)).toEqual(['completed', 'completed'])
    // b (or c) asked again on its own signal; the other waited for that answer.
    expect(methods(fake)).toEqual(['OPTIONS(held)', 'OPTIONS', 'POST', 'POST'])
    expect(fake.log.slice(2).map(bodyOf)).toEqual([
      [0, 100],
      [0, 100],
    ])
  })
})
