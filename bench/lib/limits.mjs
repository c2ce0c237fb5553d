// The machine's own limits, measured in the same run as the uploads.
import { randomFillSync } from 'node:crypto'
import { open, rm } from 'node:fs/promises'
import net from 'node:net'
import { join } from 'node:path'
import { spawnChild } from './proc.mjs'
import { GiB, MiB } from './stats.mjs'

const SINK = new URL('./sink-child.mjs', import.meta.url).pathname

/** Loopback TCP between this process and a child: bytes per second. */
export async function measureLoopback(bytes) {
  const sink = spawnChild(SINK)
  const { port } = await sink.next('ready')
  const block = randomFillSync(Buffer.alloc(1 * MiB))
  const socket = net.connect(port, '127.0.0.1')
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject))
  for (let sent = 0; sent < bytes; sent += block.length) {
    if (!socket.write(block)) await new Promise((resolve) => socket.once('drain', resolve))
  }
  socket.end()
  const done = await sink.next('done')
  await sink.exited
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

export async function measureLimits(dir, { quick }) {
  const loopback = await measureLoopback(quick ? 512 * MiB : 4 * GiB)
  const disk = await measureDisk(dir, quick ? 128 * MiB : 1 * GiB)
  return { loopback, disk, min: Math.min(loopback, disk) }
}
