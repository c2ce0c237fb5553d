import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type CliServer, spawnCli } from '../../server/test/helpers/cli.js'
import { assertBuilt } from './helpers.js'

// Graceful shutdown of `shuttle serve` when something will not stop by itself: a download whose
// reader stalls. New connections are refused at once, a request already on its way gets 503 with
// Retry-After and a sentence, and after --shutdown-timeout the rest is cut and the process exits 0.
const MiB = 1024 * 1024
const SHUTDOWN = 2000

let dir: string
let server: CliServer | undefined

beforeAll(assertBuilt)
afterEach(async () => {
  await server?.stop('SIGKILL')
  server = undefined
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('shuttle serve graceful shutdown', () => {
  it('refuses new connections, answers a request on its way 503, cuts what still runs after --shutdown-timeout, exits 0', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-shutdown-'))
    server = await spawnCli(dir, ['--shutdown-timeout', `${SHUTDOWN}ms`])
    const s = server
    const size = 64 * MiB
    const created = await fetch(s.endpoint, {
      method: 'POST',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Length': String(size),
        'Content-Type': 'application/offset+octet-stream',
      },
      body: randomBytes(size),
    })
    expect(created.status).toBe(201)
    const url = created.headers.get('location') as string

    // A download whose reader stops: the server cannot finish it.
    const stalled = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(url, { agent: false }, resolve).on('error', reject)
    })
    stalled.pause()
    stalled.on('error', () => {}) // cut at the timeout (this paused side never reads that far)
    // A request on its way: headers sent but for the last line when the signal comes (the server
    // may not have read them yet; Node 26's server.close() alone would reset such a connection).
    const onItsWay = await halfSent(
      s.port,
      `GET /files/x HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n`,
    )

    const sentAt = performance.now()
    s.child.kill('SIGTERM')
    await waitForOutput(s, /SIGTERM: draining/)
    // No new connections (a connection of its own: fetch would reuse the pooled one of the POST).
    await expect(connectTo(s.port)).rejects.toThrow(/ECONNREFUSED/)
    const answer = await onItsWay.finish()
    expect(answer).toMatch(/^HTTP\/1\.1 503 /)
    expect(answer).toMatch(/\r\nretry-after: 1\r\n/i)
    expect(answer).toMatch(/\r\nconnection: close\r\n/i)
    expect(answer).toMatch(/\r\n\r\nThis server is shutting down; nothing was changed\. Retry: /)

    const { code, signal } = await s.exited
    const took = performance.now() - sentAt
    expect({ code, signal }).toEqual({ code: 0, signal: null })
    expect(took).toBeGreaterThanOrEqual(SHUTDOWN - 50)
    expect(took).toBeLessThan(SHUTDOWN + 2000)
    expect(s.output()).toMatch(
      /Stopped after 2s with 1 request\(s\) still running, now cut; locks they held expire by themselves/,
    )
    stalled.destroy()
    console.log(`[shutdown] exit 0 ${Math.round(took)} ms after SIGTERM (--shutdown-timeout ${SHUTDOWN} ms)`)
  })
})

/** A connection that sent `head` (request headers but for the closing empty line). */
async function halfSent(port: number, head: string): Promise<{ finish(): Promise<string> }> {
  const socket = await connectTo(port)
  // A reset (what the drain must not do to it) would be an uncaught error without a listener; the
  // answer is what the test checks.
  socket.on('error', () => {})
  let answer = ''
  socket.setEncoding('latin1').on('data', (t: string) => {
    answer += t
  })
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  socket.write(head)
  return {
    async finish() {
      socket.write('\r\n')
      await closed
      return answer
    },
  }
}

function connectTo(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    socket.once('connect', () => resolve(socket)).once('error', reject)
  })
}

async function waitForOutput(s: CliServer, re: RegExp): Promise<void> {
  while (!re.test(s.output())) {
    await new Promise<void>((resolve) => s.child.stderr?.once('data', () => resolve()))
  }
}
