// The Chromium ceiling's server: serves the bench page (same origin as the uploads) and answers
// every other request with 204 once its body has been read and thrown away. No tus: what is left
// is the browser pushing bytes. With `write <directory>`, it appends every body to one file there
// instead (64 KiB writes through fs.WriteStream, as a typical Node server stores bytes).
// Its own process, so its CPU is measured apart.
// Usage: node discard-child.mjs [write <directory>]. Same messages as server-child.mjs: ready
// {port}, reset, stats {cpuSeconds, cpuSplit, peakRss, bodyBytes, requests}, stop.
import { createWriteStream } from 'node:fs'
import http from 'node:http'
import { join } from 'node:path'
import { answerParent, reportFailures, tell } from './child-stats.mjs'
import { serveStatic } from './static-files.mjs'

reportFailures()
const [how, directory] = process.argv.slice(2)
let bodyBytes = 0
let requests = 0
const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    serveStatic(req, res).then((served) => {
      if (!served) res.writeHead(404).end()
    })
    return
  }
  requests++
  req.on('data', (chunk) => {
    bodyBytes += chunk.length
  })
  if (how === 'write') {
    const file = createWriteStream(join(directory, 'body.bin'), { flags: 'a', highWaterMark: 64 * 1024 })
    req.pipe(file).on('finish', () => res.writeHead(204).end())
  } else {
    req.on('end', () => res.writeHead(204).end())
    req.resume()
  }
})
server.keepAliveTimeout = 60_000
server.requestTimeout = 0

answerParent(server, {
  reset: () => {
    bodyBytes = 0
    requests = 0
  },
  stats: () => ({ bodyBytes, requests }),
})

server.listen(0, '127.0.0.1', () => tell({ type: 'ready', port: server.address().port }))
