// Where the time of an instant upload (秒传) goes: `shuttle serve` in a child process (optionally
// under `strace -f -tt -T`, or with --cpu-prof), a 1 GiB file uploaded once by the Node engine, then
// again by fresh uploaders right away (the worst case for the server: the first upload's pages are
// still dirty); prints the time to the identity and after it. Usage:
//   node bench/instant-probe.mjs [--size-mib 1024] [--runs 3] [--strace out.txt] [--cpu-prof dir]
import { mkdtemp, open, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createUploader } from '@shuttle/core'
import { shuttleServeArgs, startChild } from './lib/start-child.mjs'

const { values } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    runs: { type: 'string', default: '3' },
    strace: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
})
const size = Number(values['size-mib']) * 1024 * 1024
const tmp = await mkdtemp(join(tmpdir(), 'shuttle-instant-probe-'))
const src = join(tmp, 'src.bin')
{
  const f = await open(src, 'w')
  const block = Buffer.alloc(16 * 1024 * 1024)
  for (let at = 0; at < size; at += block.length) {
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i)
    await f.write(block, 0, Math.min(block.length, size - at))
  }
  await f.close()
}
const serveArgs = [
  ...(values['cpu-prof'] ? [`--cpu-prof`, `--cpu-prof-dir=${values['cpu-prof']}`] : []),
  ...shuttleServeArgs(['--dir', join(tmp, 'uploads')]),
]
const { child, endpoint } = values.strace
  ? await startChild(
      ['-f', '-tt', '-T', '-o', values.strace, process.execPath, ...serveArgs],
      process.env,
      undefined,
      'strace',
    )
  : await startChild(serveArgs)
child.stderr.pipe(process.stderr) // what the server says while the runs go

async function uploadOnce(run) {
  const up = createUploader({ endpoint })
  const t0 = performance.now()
  let hashedAt = Number.NaN
  up.on('progress', (e) => {
    if (e.hashing && e.hashing.bytes === e.hashing.total) hashedAt = performance.now()
  })
  const done = new Promise((ok, ko) => {
    up.on('completed', (e) => ok(e))
    up.on('failed', (e) => ko(e.error))
  })
  up.add(src, { run })
  const e = await done
  const ms = performance.now() - t0
  await up.destroy()
  return { ms, hashMs: hashedAt - t0, instant: e.instant === true }
}

try {
  const first = await uploadOnce('first')
  console.log(`first: ${(first.ms / 1000).toFixed(1)} s`)
  for (let i = 0; i < Number(values.runs); i++) {
    const r = await uploadOnce(`again-${i}`)
    console.log(
      `again #${i}: ${r.ms.toFixed(0)} ms in all: ${r.hashMs.toFixed(0)} ms to the identity (OPTIONS + ` +
        `hashing), ${(r.ms - r.hashMs).toFixed(0)} ms after it (POST, proof, PATCH); instant=${r.instant}; load ${loadavg()
          .map((x) => x.toFixed(2))
          .join(' ')}`,
    )
  }
} finally {
  child.kill('SIGTERM')
  await new Promise((ok) => child.once('exit', ok))
  await rm(tmp, { recursive: true, force: true })
}
