// The Node floor (see floor-child.mjs), measured in the same run as the uploads: median of `reps`.
import { spawnChild } from './proc.mjs'
import { GiB, median } from './stats.mjs'

const CHILD = new URL('./floor-child.mjs', import.meta.url).pathname

async function once(path, dir) {
  const sender = spawnChild(CHILD, ['send', path])
  const { port } = await sender.next('ready', 30_000)
  const receiver = spawnChild(CHILD, ['receive', port, dir])
  const [sent, got] = await Promise.all([sender.next('done', 300_000), receiver.next('done', 300_000)])
  await Promise.all([sender.exited, receiver.exited])
  const perGiB = (s) => s / (got.bytes / GiB)
  return {
    throughput: got.bytes / (got.elapsedMs / 1000),
    cpuPerGiB: perGiB(sent.cpu.user + sent.cpu.system + got.cpu.user + got.cpu.system),
    split: {
      senderUser: perGiB(sent.cpu.user),
      senderSystem: perGiB(sent.cpu.system),
      receiverUser: perGiB(got.cpu.user),
      receiverSystem: perGiB(got.cpu.system),
    },
  }
}

export async function measureFloor(path, dir, reps) {
  const runs = []
  for (let i = 0; i < reps; i++) runs.push(await once(path, dir))
  const mid = (f) => median(runs.map(f))
  return {
    throughput: mid((r) => r.throughput),
    cpuPerGiB: mid((r) => r.cpuPerGiB),
    split: Object.fromEntries(Object.keys(runs[0].split).map((k) => [k, mid((r) => r.split[k])])),
    samples: runs.map((r) => r.throughput),
  }
}
