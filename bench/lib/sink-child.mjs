// Loopback probe, receiving side: connects to the parent on 127.0.0.1 and discards what arrives,
// reading into one reused 1 MiB buffer (net's `onread`) so it measures the kernel path, not
// allocation. Usage: node sink-child.mjs <port>. Messages out: done {bytes, elapsedMs}.
import net from 'node:net'
import { reportFailures, tell } from './child-stats.mjs'

reportFailures()
const buffer = Buffer.alloc(1024 * 1024)
let bytes = 0
let t0
const socket = net.connect({
  port: Number(process.argv[2]),
  host: '127.0.0.1',
  onread: {
    buffer,
    callback: (n) => {
      t0 ??= performance.now()
      bytes += n
    },
  },
})
socket.on('end', async () => {
  await tell({ type: 'done', bytes, elapsedMs: performance.now() - t0 })
  process.exit(0)
})
