// A tus server in its own process, so its CPU and memory are measured apart from the client.
// Usage: node server-child.mjs <shuttle|tus> <directory>
// Messages out: ready {port}, stats {cpuSeconds, peakRss, bytesIn, headerBytes, requests}.
// Messages in: reset (start a measurement), stats, stop.
import http from 'node:http'
import { answerParent, peakRss, reportFailures, tell } from './child-stats.mjs'

reportFailures()
const [kind, directory, extra] = process.argv.slice(2)

async function makeHandler() {
  if (kind === 'shuttle') {
    // BENCH_SERVER=<path to an index.js>: an experimental copy of the server (A/B of a change).
    const { createTusServer } = await import(process.env.BENCH_SERVER ?? '@shuttle/server')
    return createTusServer({ path: '/files/', directory }).handle
  }
  if (kind === 'tus') {
    const { Server } = await import('@tus/server')
    const { FileStore } = await import('@tus/file-store')
    const tus = new Server({ path: '/files', datastore: new FileStore({ directory }) })
    return (req, res) => tus.handle(req, res)
  }
  throw new Error(`unknown server kind "${kind}"`)
}

const tusHandler = await makeHandler()
// 'static': also serve the Chromium bench page, so the page and its tus endpoint share an origin.
const { serveStatic } = extra === 'static' ? await import('./static-files.mjs') : {}
const handler = serveStatic
  ? (req, res) => {
      if (req.url.startsWith('/files')) return tusHandler(req, res)
      serveStatic(req, res).then((served) => {
        if (!served) res.writeHead(404).end()
      })
    }
  : tusHandler
const server = http.createServer(handler)
// Lots of concurrent uploads: never let the default timeouts or header limits skew the run.
server.keepAliveTimeout = 60_000
server.requestTimeout = 0
server.headersTimeout = 60_000

// Bytes received, counted at the socket: bodies + request heads. Heads are estimated per request
// so "body bytes" (what resume re-sends) can be reported without touching the request streams.
let bytesIn = 0
let headerBytes = 0
let requests = 0
const sockets = new Set()
server.on('connection', (socket) => {
  sockets.add(socket)
  socket.on('close', () => {
    bytesIn += socket.bytesRead - (socket.countedBytes ?? 0)
    sockets.delete(socket)
  })
})
server.on('request', (req) => {
  requests++
  let n = req.method.length + req.url.length + 12
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    n += req.rawHeaders[i].length + req.rawHeaders[i + 1].length + 4
  headerBytes += n + 2
})
const liveBytes = () => {
  let n = bytesIn
  for (const s of sockets) n += s.bytesRead - (s.countedBytes ?? 0)
  return n
}

// Where the memory is: peak of ArrayBuffer memory (request chunks, write buffers) and JS heap,
// sampled at 10 Hz; RSS minus these is Node itself.
let peakArrayBuffers = 0
let peakHeapUsed = 0
setInterval(() => {
  const m = process.memoryUsage()
  peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers)
  peakHeapUsed = Math.max(peakHeapUsed, m.heapUsed)
}, 100).unref()

let baselineRss = 0
answerParent(server, {
  reset: () => {
    bytesIn = 0
    headerBytes = 0
    requests = 0
    for (const s of sockets) s.countedBytes = s.bytesRead
  },
  stats: () => ({
    baselineRss,
    peakArrayBuffers,
    peakHeapUsed,
    bytesIn: liveBytes(),
    headerBytes,
    requests,
  }),
})

// Peak RSS before any upload: what Node plus the server's modules cost on their own.
server.listen(0, '127.0.0.1', () => {
  baselineRss = peakRss()
  tell({ type: 'ready', port: server.address().port })
})
