import type http from 'node:http'
import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { closeHttpServer } from './http-close.js'
import { createHttpServer } from './http-limits.js'

// closeHttpServer over real sockets: the state that Node 26's server.close() resets (a request's
// headers in the kernel, not yet read) is made on purpose, then the request must get its answer.
const nodeMajor = Number(process.versions.node.split('.')[0])

let server: http.Server | undefined
const clients: net.Socket[] = []
afterEach(() => {
  server?.closeAllConnections()
  for (const c of clients) c.destroy()
  clients.length = 0
})

describe('closeHttpServer', () => {
  it('answers a request whose headers were arriving, closes idle keep-alive connections, refuses new ones', async () => {
    let closing = false
    const s = createHttpServer((_req, res) => {
      if (closing) res.writeHead(503, { connection: 'close' }).end('shutting down\n')
      else res.end('ok\n')
    })
    server = s
    const accepted: net.Socket[] = []
    s.on('connection', (socket: net.Socket) => accepted.push(socket))
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
    const { port } = s.address() as net.AddressInfo

    // A: keep-alive, one request answered, now idle.
    const a = await connect(port)
    const aFirst = reader(a)
    a.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
    await aFirst.until(/ok\n$/)
    const aClosed = closedPromise(a)
    // B: connected and accepted, headers sent but for the last line; the server has not read them.
    const b = await connect(port)
    while (accepted.length < 2) await new Promise((resolve) => s.once('connection', resolve))
    const bAnswer = reader(b)
    const bClosed = closedPromise(b)
    b.write(`HEAD /files/x HTTP/1.1\r\nHost: 127.0.0.1\r\nTus-Resumable: 1.0.0\r\n`)
    const serverB = accepted[1] as net.Socket
    // In the same turn, as a signal handler would: the bytes are in the kernel, none read yet.
    closing = true
    const closed = closeHttpServer(s)
    expect(serverB.bytesRead).toBe(0)

    // New connections are refused at once.
    await expect(connect(port)).rejects.toThrow(/ECONNREFUSED/)
    // The idle keep-alive connection is closed (so the idle ones have been closed by now)…
    await aClosed
    expect(serverB.destroyed).toBe(false)
    // …and the half-sent request, completed now, gets its answer.
    b.write('\r\n')
    await bClosed
    expect(bAnswer.text()).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n/)
    expect(bAnswer.text()).toMatch(/\r\nconnection: close\r\n/i)
    await closed
    expect(s.listening).toBe(false)
  })

  it('resolves at once with no connection, and closes a connection that sent nothing (Node 26+) or leaves it to closeAllConnections', async () => {
    const s = createHttpServer((_req, res) => res.end('ok\n'))
    server = s
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
    await closeHttpServer(s)
    expect(s.listening).toBe(false)

    const s2 = createHttpServer((_req, res) => res.end('ok\n'))
    server = s2
    const accepted = new Promise<net.Socket>((resolve) => s2.once('connection', resolve))
    await new Promise<void>((resolve) => s2.listen(0, '127.0.0.1', resolve))
    const silent = await connect((s2.address() as net.AddressInfo).port)
    const silentClosed = closedPromise(silent)
    await accepted
    const closed = closeHttpServer(s2)
    // Node 26 counts a connection that has sent nothing as idle; Node 20–24 wait for its request.
    if (nodeMajor < 26) s2.closeAllConnections()
    await silentClosed
    await closed
    expect(silent.bytesRead).toBe(0)
  })
})

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1')
    clients.push(socket)
    socket.once('connect', () => resolve(socket)).once('error', reject)
  })
}

function closedPromise(socket: net.Socket): Promise<void> {
  // A reset (the failure this guards against) also ends in 'close'; the answer is checked apart.
  socket.on('error', () => {})
  return new Promise((resolve) => socket.once('close', () => resolve()))
}

function reader(socket: net.Socket) {
  let text = ''
  const waiters: (() => void)[] = []
  socket.setEncoding('latin1').on('data', (t: string) => {
    text += t
    for (const w of waiters.splice(0)) w()
  })
  return {
    text: () => text,
    async until(re: RegExp) {
      while (!re.test(text)) await new Promise<void>((resolve) => waiters.push(resolve))
    },
  }
}
