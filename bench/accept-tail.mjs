// Why the many-uploads p99 has a tail, without tus: a bare node:http server receives 1000 POSTs of
// 1 MiB, 200 in flight, from a bare node:http client. Prints latency and, per request, when the
// server accepted its connection and saw its headers.
//
//   node bench/accept-tail.mjs            keep-alive agent, then a new connection per request
//
// libuv (since 1.45, libuv/libuv#3696) accepts one connection per event-loop iteration. While the
// connections it has accepted keep the loop busy with 1 MiB bodies (each written to a file, as an
// upload server does), the rest of 200 connections opened at once wait in the kernel's accept
// queue: a keep-alive client's first requests are the slow ones. Without keep-alive every request
// queues there alike, so latency is even.
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const UPLOADS = 1000
const IN_FLIGHT = 200
const SIZE = 1 << 20

// Both processes read one clock: the time origin plus performance.now().
const now = () => performance.timeOrigin + performance.now()

if (process.argv[2] === 'server') serve()
else await main()

// Child: answers each POST once its body is written, and tells the parent when it accepted each
// connection and saw each request's headers.
function serve() {
  const dir = mkdtempSync(join(tmpdir(), 'accept-tail-'))
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
  const accepted = new Map() // client port → ms
  const seen = []
  const server = http.createServer((req, res) => {
    seen.push([req.headers['x-id'], req.socket.remotePort, now()])
    // As an upload server does: each body into its own file, written as it arrives.
    const fd = openSync(join(dir, req.headers['x-id']), 'w')
    req.on('data', (chunk) => writeSync(fd, chunk))
    req.on('end', () => {
      closeSync(fd)
      rmSync(join(dir, req.headers['x-id']))
      res.writeHead(201, { 'content-length': 0 }).end()
    })
  })
  server.on('connection', (socket) => accepted.set(socket.remotePort, now()))
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
  // Never outlive the parent, even if it crashed before saying 'exit'.
  process.on('disconnect', () => process.exit(0))
  process.on('message', (msg) => {
    if (msg === 'report') process.send({ seen, accepted: [...accepted] })
    if (msg === 'exit') {
      server.close(() => process.exit(0))
      server.closeAllConnections()
    }
  })
}

async function main() {
  console.log(
    `${UPLOADS} POSTs of 1 MiB, ${IN_FLIGHT} in flight, to a bare node:http server (Node ${process.version})\n`,
  )
  console.log(
    '| client agent | requests/s | latency p50 ms | p99 ms | sent → accepted p50 ms | p99 ms | sent → headers seen p99 ms |',
  )
  console.log('|---|---|---|---|---|---|---|')
  for (const keepAlive of [true, false]) console.log(await run(keepAlive))
}

async function run(keepAlive) {
  const child = fork(new URL(import.meta.url), ['server'], { stdio: 'inherit' })
  const { port } = await new Promise((resolve) => child.once('message', resolve))
  const agent = new http.Agent({ keepAlive })
  const body = randomBytes(SIZE)
  const sent = new Map() // id → { start, end, port }
  let next = 0
  const t0 = now()
  const worker = async () => {
    while (next < UPLOADS) {
      const id = String(next++)
      const rec = { start: now() }
      sent.set(id, rec)
      await new Promise((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/',
            agent,
            headers: { 'x-id': id, 'content-length': SIZE },
          },
          (res) => res.resume().on('end', resolve),
        )
        req.on('socket', () => (rec.reused = req.reusedSocket))
        req.on('error', reject)
        req.end(body)
      })
      rec.end = now()
    }
  }
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  const wall = now() - t0
  child.send('report')
  const report = await new Promise((resolve) => child.once('message', resolve))
  child.send('exit')
  agent.destroy()

  const latencies = [...sent.values()].map((r) => r.end - r.start)
  // Per request: from the client writing it to the server accepting its connection (requests
  // that opened a new connection) and to the server's request handler seeing its headers.
  const accepted = new Map(report.accepted)
  const toAccept = []
  const toHeaders = []
  for (const [id, clientPort, headersAt] of report.seen) {
    const r = sent.get(id)
    toHeaders.push(headersAt - r.start)
    if (!r.reused) toAccept.push(accepted.get(clientPort) - r.start)
  }
  const q = (a, p) => a.sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * p))].toFixed(0)
  return `| ${keepAlive ? 'keep-alive' : 'new connection each'} | ${((UPLOADS / wall) * 1000).toFixed(0)} | ${q(latencies, 0.5)} | ${q(latencies, 0.99)} | ${q(toAccept, 0.5)} | ${q(toAccept, 0.99)} | ${q(toHeaders, 0.99)} |`
}
