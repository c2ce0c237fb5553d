import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { HttpError, type Logger } from '../src/index.js'
import { OCTET, startTus, type Tus } from './helpers/start-tus.js'

let t: Tus | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

/** A logger that keeps what the server reports. */
function recordingLogger() {
  const lines: { message: string; err: unknown }[] = []
  const logger: Logger = { error: (message, err) => void lines.push({ message, err }) }
  return { logger, lines }
}

async function create(tus: Tus, length: number, headers: Record<string, string> = {}): Promise<string> {
  const res = await tus.req(tus.endpoint, {
    method: 'POST',
    headers: { 'Upload-Length': String(length), ...headers },
  })
  expect(res.status).toBe(201)
  return res.headers.get('location') ?? ''
}

const idOf = (url: string) => new URL(url).pathname.split('/').pop() ?? ''

describe('a damaged info file', () => {
  const variants: [string, string][] = [
    ['empty', ''],
    ['cut short', '{"version":1,"id":"'],
    ['not JSON', 'garbage \u0000\u0001 bytes'],
    ['invalid', JSON.stringify({ version: 1, id: 'x', size: 'big', metadata: [], createdAt: 'yesterday' })],
  ]
  it.each(variants)(
    '%s: HEAD/PATCH/GET answer 410 with a sentence, DELETE removes every file, one log line',
    async (_, content) => {
      const { logger, lines } = recordingLogger()
      t = await startTus({ logger })
      const url = await create(t, 10)
      expect(
        (await t.req(url, { method: 'PATCH', headers: { ...OCTET, 'Upload-Offset': '0' }, body: 'abc' }))
          .status,
      ).toBe(204)
      await writeFile(path.join(t.dir, `${idOf(url)}.json`), content)

      for (const [method, headers, body] of [
        ['HEAD', {}, undefined],
        ['PATCH', { ...OCTET, 'Upload-Offset': '3' }, 'de'],
        ['GET', {}, undefined],
        ['HEAD', {}, undefined],
      ] as const) {
        const res = await t.req(url, { method, headers, body })
        expect(res.status, method).toBe(410)
        if (method !== 'HEAD')
          expect(await res.text()).toMatch(/damaged.*DELETE it and upload the file again/)
      }
      // One line for the upload, whatever the number of requests; no stack trace.
      const reports = lines.filter((l) => l.message.includes(idOf(url)))
      expect(reports).toHaveLength(1)
      expect(reports[0]?.err).toBeUndefined()
      expect(reports[0]?.message).not.toMatch(/\n/)

      expect((await t.req(url, { method: 'DELETE' })).status).toBe(204)
      expect((await readdir(t.dir)).filter((n) => n.startsWith(idOf(url)))).toEqual([])
      expect((await t.req(url, { method: 'HEAD' })).status).toBe(404)
      // The server is still up and serves new uploads.
      const next = await create(t, 2)
      expect(
        (await t.req(next, { method: 'PATCH', headers: { ...OCTET, 'Upload-Offset': '0' }, body: 'ok' }))
          .status,
      ).toBe(204)
    },
  )

  it('the leftover sweep removes a damaged upload after the grace period, not a fresh one', async () => {
    t = await startTus({ expireAfter: 3600_000, expirySweepInterval: 0 })
    const [old, fresh] = [await create(t, 10), await create(t, 10)]
    for (const url of [old, fresh]) await writeFile(path.join(t.dir, `${idOf(url)}.json`), '{')
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000)
    await utimes(path.join(t.dir, `${idOf(old)}.json`), twoHoursAgo, twoHoursAgo)
    await t.tus.sweepExpired()
    const names = await readdir(t.dir)
    expect(names.some((n) => n.startsWith(idOf(old)))).toBe(false)
    expect(names).toContain(`${idOf(fresh)}.json`)
  })
})

describe('statuses', () => {
  it('2000 concurrent HEADs on one idle upload are all answered 200 with the same offset', async () => {
    t = await startTus()
    const url = await create(t, 100)
    await t.req(url, { method: 'PATCH', headers: { ...OCTET, 'Upload-Offset': '0' }, body: 'x'.repeat(42) })
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2000 })
    try {
      const answers = await Promise.all(
        Array.from(
          { length: 2000 },
          () =>
            new Promise<string>((resolve, reject) => {
              const req = http.request(
                url,
                { method: 'HEAD', agent, headers: { 'Tus-Resumable': '1.0.0' } },
                (res) => {
                  res.resume()
                  resolve(`${res.statusCode} ${res.headers['upload-offset']}`)
                },
              )
              req.on('error', reject)
              req.end()
            }),
        ),
      )
      const counts = new Map<string, number>()
      for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1)
      expect(Object.fromEntries(counts)).toEqual({ '200 42': 2000 })
    } finally {
      agent.destroy()
    }
  })

  it('out of space: creation and PATCH both answer 507 with the same sentence', async (ctx) => {
    // A 256 KiB tmpfs is a real full disk; mounting needs root, which CI and this machine have.
    const mnt = await mkdtemp(path.join(os.tmpdir(), 'shuttle-full-'))
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt])
    } catch (err) {
      throw new Error(`This test mounts a small tmpfs as root (mount -t tmpfs): ${String(err)}`)
    }
    ctx.onTestFinished(async () => {
      execFileSync('umount', [mnt])
      await rm(mnt, { recursive: true, force: true })
    })
    const { logger, lines } = recordingLogger()
    t = await startTus({ directory: path.join(mnt, 'store'), logger })
    const url = await create(t, 1024 * 1024)
    const patch = await t.req(url, {
      method: 'PATCH',
      headers: { ...OCTET, 'Upload-Offset': '0' },
      body: randomBytes(1024 * 1024),
    })
    expect(patch.status).toBe(507)
    const patchMessage = await patch.text()
    // The disk is now full: creating another upload fails the same way.
    let created: Response | undefined
    for (let k = 0; k < 200; k++) {
      created = await t.req(t.endpoint, {
        method: 'POST',
        headers: {
          'Upload-Length': '10',
          'Upload-Metadata': `filename ${Buffer.from('x'.repeat(200)).toString('base64')}`,
        },
      })
      if (created.status !== 201) break
    }
    expect(created?.status).toBe(507)
    expect(await created?.text()).toBe(patchMessage)
    expect(patchMessage).toMatch(/out of storage space/)
    expect(lines.some((l) => /out of storage space/.test(l.message))).toBe(true)
  })

  it('an answer given before the body is read (409) reaches a client that is still sending and asked to close', async () => {
    t = await startTus()
    const url = new URL(await create(t, 16 * 1024 * 1024))
    const answer = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(url.port), url.hostname)
      let text = ''
      socket.setEncoding('latin1')
      socket.on('data', (s: string) => {
        text += s
      })
      socket.on('error', () => {})
      socket.on('close', () => resolve(text))
      socket.write(
        `PATCH ${url.pathname} HTTP/1.1\r\nHost: x\r\nTus-Resumable: 1.0.0\r\nUpload-Offset: 5\r\n` +
          'Content-Type: application/offset+octet-stream\r\nContent-Length: 16777216\r\nConnection: close\r\n\r\n',
      )
      const piece = Buffer.alloc(256 * 1024, 1)
      let sent = 0
      const pump = () => {
        while (sent < 16 * 1024 * 1024 && !socket.destroyed) {
          sent += piece.length
          if (!socket.write(piece)) return void socket.once('drain', pump)
        }
      }
      pump()
    })
    expect(answer).toMatch(/^HTTP\/1\.1 409 /)
  })
})

describe('authorize', () => {
  it('decides every action before any lock: refused ones answer its status, allowed ones work, a refused HEAD does not stop a running PATCH', async () => {
    const seen: string[] = []
    t = await startTus({
      authorize: (req, { action, upload }) => {
        seen.push(action)
        const who = req.headers['x-user']
        if (who === 'nobody') return false
        if (action !== 'create' && upload?.metadata.owner !== who) {
          throw new HttpError('ERR_NOT_FOUND', 404, 'Upload not found')
        }
        return true
      },
    })
    const owner = Buffer.from('alice').toString('base64')
    const url = await create(t, 4 * 1024 * 1024, { 'x-user': 'alice', 'Upload-Metadata': `owner ${owner}` })
    expect(
      (await t.req(t.endpoint, { method: 'POST', headers: { 'Upload-Length': '1', 'x-user': 'nobody' } }))
        .status,
    ).toBe(403)
    for (const method of ['HEAD', 'GET', 'DELETE']) {
      expect((await t.req(url, { method, headers: { 'x-user': 'mallory' } })).status, method).toBe(404)
    }

    // Alice streams slowly; Mallory's HEAD is refused without asking Alice's PATCH to stop.
    const bytes = randomBytes(4 * 1024 * 1024)
    let release: () => void = () => {}
    const gate = new Promise<void>((r) => {
      release = r
    })
    const body = new ReadableStream<Uint8Array>({
      async start(c) {
        c.enqueue(bytes.subarray(0, 1024 * 1024))
        await gate
        c.enqueue(bytes.subarray(1024 * 1024))
        c.close()
      },
    })
    const alice = t.req(url, {
      method: 'PATCH',
      headers: { ...OCTET, 'Upload-Offset': '0', 'x-user': 'alice' },
      body,
      duplex: 'half',
    } as RequestInit)
    await waitFor(() => seen.filter((a) => a === 'write').length === 1)
    expect((await t.req(url, { method: 'HEAD', headers: { 'x-user': 'mallory' } })).status).toBe(404)
    expect(
      (
        await t.req(url, {
          method: 'PATCH',
          headers: { ...OCTET, 'Upload-Offset': '0', 'x-user': 'mallory' },
          body: 'x',
        })
      ).status,
    ).toBe(404)
    release()
    const done = await alice
    expect([done.status, done.headers.get('upload-offset')]).toEqual([204, String(bytes.length)])
    const got = Buffer.from(await (await t.req(url, { headers: { 'x-user': 'alice' } })).arrayBuffer())
    expect(createHash('sha256').update(got).digest('hex')).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    )
    expect(new Set(seen)).toEqual(new Set(['create', 'head', 'read', 'delete', 'write']))
  })

  it('concatenation asks about each part', async () => {
    t = await startTus({
      authorize: (_req, { action, upload }) =>
        !(action === 'concatenate' && upload?.metadata.secret === 'yes'),
    })
    const secret = Buffer.from('yes').toString('base64')
    const open = await create(t, 1, { 'Upload-Concat': 'partial' })
    const hidden = await create(t, 1, { 'Upload-Concat': 'partial', 'Upload-Metadata': `secret ${secret}` })
    for (const url of [open, hidden]) {
      await t.req(url, { method: 'PATCH', headers: { ...OCTET, 'Upload-Offset': '0' }, body: 'z' })
    }
    const refused = await t.req(t.endpoint, {
      method: 'POST',
      headers: { 'Upload-Concat': `final;${open} ${hidden}` },
    })
    expect(refused.status).toBe(403)
    expect(
      (await t.req(t.endpoint, { method: 'POST', headers: { 'Upload-Concat': `final;${open} ${open}` } }))
        .status,
    ).toBe(201)
  })
})

async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}
