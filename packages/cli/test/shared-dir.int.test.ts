import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type CliServer, spawnCli } from '../../server/test/helpers/cli.js'
import { assertBuilt, runCli } from './helpers.js'

// Two `shuttle serve` processes on one --dir, as a team first tries to scale out.
const SIZE = 4 * 1024 * 1024
const servers: CliServer[] = []
let dir: string

beforeAll(assertBuilt)
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()))
  if (dir) await rm(dir, { recursive: true, force: true })
})

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const tus = { 'Tus-Resumable': '1.0.0' }

/**
 * PATCH `body` from `offset` over a raw socket in 64 KiB writes, so that two such requests
 * overlap in time. Raw, because a server that refuses mid-body answers and closes while the
 * client still writes: the status line is read from the bytes that arrived, whatever the socket
 * reports afterwards (EPIPE, ECONNRESET).
 */
function patch(
  url: string,
  offset: number,
  body: Buffer,
): Promise<{ status: number; offset: number | undefined }> {
  const { hostname, port, pathname } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname)
    let answer = ''
    const timer = setTimeout(() => socket.destroy(new Error('no answer within 20 s')), 20_000)
    const settle = () => {
      clearTimeout(timer)
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)
      if (!status) return reject(new Error(`PATCH ${url} from ${offset}: no answer (${answer.slice(0, 80)})`))
      const o = /\r\nupload-offset: (\d+)/i.exec(answer)
      resolve({ status: Number(status[1]), offset: o ? Number(o[1]) : undefined })
    }
    socket.setEncoding('latin1')
    socket.on('data', (text: string) => {
      answer += text
      if (answer.includes('\r\n\r\n')) socket.destroy()
    })
    socket.on('error', () => {}) // the status line, if any, is in `answer`
    socket.on('close', settle)
    socket.write(
      `PATCH ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nTus-Resumable: 1.0.0\r\n` +
        `Upload-Offset: ${offset}\r\nContent-Type: application/offset+octet-stream\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    )
    let at = 0
    const pump = () => {
      if (socket.destroyed || at >= body.length) return
      const next = Math.min(at + 64 * 1024, body.length)
      const more = socket.write(body.subarray(at, next))
      at = next
      if (more) setImmediate(pump)
      else socket.once('drain', pump)
    }
    pump()
  })
}

async function head(url: string): Promise<number> {
  const res = await fetch(url, { method: 'HEAD', headers: tus, signal: AbortSignal.timeout(20_000) })
  expect(res.status).toBe(200)
  return Number(res.headers.get('upload-offset'))
}

describe('two shuttle serve on one --dir', () => {
  it('two clients PATCH one upload through different instances: never interleaved; the loser gets 409/423 and resumes (10 rounds)', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-shared-'))
    servers.push(await spawnCli(dir), await spawnCli(dir))
    const [a, b] = servers as [CliServer, CliServer]
    const statuses = new Set<number>()
    for (let round = 0; round < 10; round++) {
      const created = await fetch(a.endpoint, {
        method: 'POST',
        headers: { ...tus, 'Upload-Length': String(SIZE) },
      })
      expect(created.status).toBe(201)
      const id = new URL(created.headers.get('location') ?? '').pathname.split('/').pop() ?? ''
      const via = [`${a.endpoint}${id}`, `${b.endpoint}${id}`]
      const bodies = [randomBytes(SIZE), randomBytes(SIZE)]
      const results = await Promise.all(via.map((url, k) => patch(url, 0, bodies[k] as Buffer)))
      for (const r of results) statuses.add(r.status)
      for (const r of results) expect([204, 409, 423], JSON.stringify(results)).toContain(r.status)
      expect(results.filter((r) => r.status === 204).length, JSON.stringify(results)).toBeLessThanOrEqual(1)

      // What is stored is a prefix of exactly one client's bytes (hash check against both).
      const stored = await readFile(path.join(dir, id))
      const owner = bodies.findIndex((body) => sha(body.subarray(0, stored.length)) === sha(stored))
      expect(owner, `round ${round}: stored bytes match neither client alone`).toBeGreaterThanOrEqual(0)

      // The other client resumes from the offset the server reports, through its own instance.
      const other = 1 - owner
      let offset = await head(via[other] as string)
      expect(offset).toBe(stored.length)
      if (offset < SIZE) {
        const done = await patch(via[other] as string, offset, (bodies[other] as Buffer).subarray(offset))
        expect(done).toEqual({ status: 204, offset: SIZE })
        offset = SIZE
      }
      const expected = Buffer.concat([stored, (bodies[other] as Buffer).subarray(stored.length)])
      const got = Buffer.from(
        await (await fetch(via[owner] as string, { signal: AbortSignal.timeout(20_000) })).arrayBuffer(),
      )
      expect(sha(got)).toBe(sha(expected))
    }
    // Both kinds of losing showed up or at least one did: the instances really contended.
    expect([...statuses].some((s) => s === 409 || s === 423)).toBe(true)
  })

  it('refuses to start where lock files cannot be created, saying why', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-nolock-'))
    await mkdir(path.join(dir, 'up'))
    await writeFile(path.join(dir, 'up', '.locks'), 'not a folder')
    const r = runCli(['serve', '--host', '127.0.0.1', '--port', '0', '--dir', path.join(dir, 'up')])
    expect(await r.exit).not.toBe(0)
    expect(r.stderr()).toMatch(/Cannot create lock files in .*\.locks/)
  })
})
