// The Node floor: a file moved over loopback TCP into a file by two Node processes with nothing in
// between (no HTTP, no tus, no streams): sync 1 MiB reads into two alternating buffers on one side,
// `onread` into one reused 1 MiB buffer + sync page-cache writes on the other. The least CPU any
// Node client + server pair spends per GiB on this machine; the uploads are compared with it.
// Usage: node floor-child.mjs send <file>   → ready {port}; then done {cpu, elapsedMs}
//        node floor-child.mjs receive <port> <dir> → done {bytes, cpu, elapsedMs}
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs'
import net from 'node:net'
import { join } from 'node:path'
import { cpuSplitSince, reportFailures, tell } from './child-stats.mjs'

reportFailures()
const [mode, a, b] = process.argv.slice(2)
const MiB = 1024 * 1024

if (mode === 'send') {
  const server = net.createServer(async (socket) => {
    const base = process.cpuUsage()
    const t0 = performance.now()
    const fd = openSync(a, 'r')
    const buffers = [Buffer.allocUnsafe(MiB), Buffer.allocUnsafe(MiB)]
    const flushed = [Promise.resolve(), Promise.resolve()]
    for (let pos = 0, i = 0; ; i ^= 1) {
      await flushed[i] // this buffer's last write has left for the kernel
      const n = readSync(fd, buffers[i], 0, MiB, pos)
      if (n === 0) break
      pos += n
      // Two buffers in flight at most: the write callback says the kernel has taken the bytes.
      flushed[i] = new Promise((resolve) => socket.write(buffers[i].subarray(0, n), resolve))
    }
    await Promise.all(flushed)
    closeSync(fd)
    socket.end(async () => {
      await tell({ type: 'done', cpu: cpuSplitSince(base), elapsedMs: performance.now() - t0 })
      process.exit(0)
    })
  })
  server.listen(0, '127.0.0.1', () => tell({ type: 'ready', port: server.address().port }))
} else if (mode === 'receive') {
  const path = join(b, 'floor.bin')
  const fd = openSync(path, 'w')
  const buffer = Buffer.allocUnsafe(MiB)
  let bytes = 0
  let base
  let t0
  const socket = net.connect({
    port: Number(a),
    host: '127.0.0.1',
    onread: {
      buffer,
      callback: (n) => {
        if (t0 === undefined) {
          t0 = performance.now()
          base = process.cpuUsage()
        }
        for (let at = 0; at < n; ) at += writeSync(fd, buffer, at, n - at, bytes + at)
        bytes += n
      },
    },
  })
  socket.on('end', async () => {
    closeSync(fd)
    const done = { type: 'done', bytes, cpu: cpuSplitSince(base), elapsedMs: performance.now() - t0 }
    rmSync(path, { force: true }) // recycles its page-cache memory for the next run
    await tell(done)
    process.exit(0)
  })
} else {
  throw new Error(`floor-child: unknown mode "${mode}"`)
}
