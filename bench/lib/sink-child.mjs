// Loopback probe, receiving side: accepts one connection on 127.0.0.1 and discards what arrives.
// Messages out: ready {port}, done {bytes, elapsedMs} (first byte to end of stream).
import net from 'node:net'
import { reportFailures, tell } from './child-stats.mjs'

reportFailures()
const server = net.createServer((socket) => {
  let bytes = 0
  let t0
  socket.on('data', (chunk) => {
    t0 ??= performance.now()
    bytes += chunk.length
  })
  socket.on('end', async () => {
    await tell({ type: 'done', bytes, elapsedMs: performance.now() - t0 })
    process.exit(0)
  })
})
server.listen(0, '127.0.0.1', () => tell({ type: 'ready', port: server.address().port }))
