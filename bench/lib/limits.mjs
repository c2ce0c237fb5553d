// The machine's own limits, measured in the same run as the uploads.
import { randomFillSync } from 'node:crypto'
import { open, rm } from 'node:fs/promises'
import net from 'node:net'
import { join } from 'node:path'
import { spawnChild } from './proc.mjs'
import { GiB, MiB } from './stats.mjs'

const SINK = new URL('./sink-child.mjs', import.meta.url).pathname

/** Loopback TCP between this process (sending 1 MiB writes) and a child: bytes per second. */
export async function measureLoopback(bytes) {
  const server = net.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const connected = new Promise((resolve) => server.once('connection', resolve))
  const sink = spawnChild(SINK, [server.address().port])
  const socket = await connected
  const block = randomFillSync(Buffer.alloc(1 * MiB))
  for (let sent = 0; sent < bytes; sent += block.length) {
    if (!socket.write(block)) await new Promise((resolve) => socket.once('drain', resolve))
  }
  socket.end()
  const done = await sink.next('done')
  await sink.exited
  server.close()
  return done.bytes / (done.elapsedMs / 1000)
}

/** Sequential writes of 8 MiB blocks then fdatasync, timed together: bytes per second. */
export async function measureDisk(dir, bytes) {
  const path = join(dir, 'disk-probe.bin')
  const block = randomFillSync(Buffer.alloc(8 * MiB))
  const fh = await open(path, 'w')
  const t0 = performance.now()
  try {
    for (let pos = 0; pos < bytes; pos += block.length) await fh.write(block, 0, block.length, pos)
    await fh.datasync()
  } finally {
    await fh.close()
  }
  const seconds = (performance.now() - t0) / 1000
  await rm(path, { force: true })
  return bytes / seconds
}

/**
 * On this VM, the first write into never-touched page-cache memory costs ~15x more kernel time than
 * a write into recycled pages (measured: 2.3 s vs 0.16-0.4 s of system time per GiB). The first
 * probe sees the cold figure; it then deletes its file, which recycles those pages for the runs
 * that follow, so every measured upload (and the warm probes) writes into warm pages.
 */
export async function measureLimits(dir, { quick }) {
  const diskBytes = quick ? 128 * MiB : 2 * GiB
  const diskCold = await measureDisk(dir, diskBytes)
  // A limit is what the machine can do: the best of three probes, since a probe that a neighbour
  // slowed down (one full run's single probe read 843 MiB/s, others 1.45-1.59 GiB/s) would make
  // every "% of limit" look better than it is.
  const loopback = await bestOf(3, () => measureLoopback(quick ? 512 * MiB : 4 * GiB))
  const disk = await bestOf(3, () => measureDisk(dir, diskBytes))
  return { loopback, diskCold, disk, min: Math.min(loopback, disk) }
}

async function bestOf(n, probe) {
  let best = 0
  for (let i = 0; i < n; i++) best = Math.max(best, await probe())
  return best
}

/** Without the limits probe: still recycle page-cache memory once before the measured runs. */
export const warmPageCache = (dir, { quick }) => measureDisk(dir, quick ? 128 * MiB : 2 * GiB)
