// Stops a test run's services when the run goes away, however it goes (Ctrl-C, SIGTERM, crash,
// SIGKILL): vitest exits on SIGINT without running globalSetup teardowns, and Ceph's daemons are
// not its children. The parent spawns this in a session of its own (so Ctrl-C in the terminal does
// not reach it) and writes one JSON line per change:
//   {"id":"redis-1","kill":[1234],"remove":["/tmp/shuttle-redis-x"]}   register or replace a cleanup
//   {"id":"redis-1","drop":true}                                       the parent cleaned up itself
// When stdin closes (the parent is gone) or on SIGTERM/SIGHUP, every registered cleanup runs once:
// SIGKILL the process groups (killGroups), then the PIDs (kill), then run `exec` ({file, args, env})
// and wait for it, then delete the `remove` directories.
import { spawnSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { createInterface } from 'node:readline'

/** @type {Map<string, { kill?: number[], killGroups?: number[], exec?: { file: string, args: string[], env?: Record<string, string> }, remove?: string[] }>} */
const cleanups = new Map()
let done = false

function signal(target, what) {
  try {
    process.kill(target, 'SIGKILL')
  } catch (err) {
    if (err.code !== 'ESRCH') console.error(`guard: kill ${what} ${target}: ${err.message}`)
  }
}

const exists = (pid) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Until the killed processes are gone from the table: PID 1 reaps them, in some containers late. */
function awaitGone(pids, ms) {
  const deadline = Date.now() + ms
  const tick = new Int32Array(new SharedArrayBuffer(4))
  while (pids.some(exists) && Date.now() < deadline) Atomics.wait(tick, 0, 0, 50)
}

function cleanUp() {
  if (done) return
  done = true
  for (const c of cleanups.values()) {
    for (const g of c.killGroups ?? []) signal(-g, 'group')
    for (const p of c.kill ?? []) signal(p, 'pid')
    awaitGone(c.kill ?? [], 10_000)
    if (c.exec) {
      const env = { ...process.env, ...c.exec.env }
      spawnSync(c.exec.file, c.exec.args, { env, stdio: 'ignore', timeout: 120_000 })
    }
    for (const dir of c.remove ?? []) rmSync(dir, { recursive: true, force: true })
  }
  process.exit(0)
}

// The terminal's Ctrl-C is the parent's business; this process only reacts to the parent leaving.
process.on('SIGINT', () => {})
process.on('SIGTERM', cleanUp)
process.on('SIGHUP', cleanUp)

const lines = createInterface({ input: process.stdin })
lines.on('line', (line) => {
  let msg
  try {
    msg = JSON.parse(line)
  } catch {
    console.error(`guard: ignoring a line that is not JSON: ${line}`)
    return
  }
  if (msg.drop) cleanups.delete(msg.id)
  else cleanups.set(msg.id, msg)
})
lines.on('close', cleanUp)
