import { type ChildProcess, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// The parent's side of guard.mjs: one guard per process (vitest's main process runs every
// globalSetup), spawned on first use, left to exit by itself when this process does.

export interface Cleanup {
  /** PIDs to SIGKILL. */
  kill?: number[]
  /** Process groups to SIGKILL (a starter script and everything it spawned). */
  killGroups?: number[]
  /** A command to run after the kills, e.g. `scripts/s3-rgw.sh stop` with its RGW_DIR. */
  exec?: { file: string; args: string[]; env?: Record<string, string> }
  /** Directories to delete last (the service's temp dir). */
  remove?: string[]
}

const GUARD = fileURLToPath(new URL('./guard.mjs', import.meta.url))
const key = Symbol.for('shuttle.test.guard')
type Holder = { [key]?: ChildProcess }
let counter = 0

function guardProcess(): ChildProcess {
  const holder = globalThis as Holder
  let child = holder[key]
  if (!child) {
    child = spawn(process.execPath, [GUARD], { detached: true, stdio: ['pipe', 'ignore', 'inherit'] })
    // Neither the guard nor its pipe keeps this process alive; the pipe closing is its signal.
    child.unref()
    ;(child.stdin as unknown as { unref(): void }).unref()
    holder[key] = child
    // test/run.mjs waits for the guards it finds here before `npm test` returns.
    const dir = process.env.SHUTTLE_TEST_GUARDS
    if (dir && child.pid) writeFileSync(join(dir, String(child.pid)), '')
  }
  return child
}

function send(msg: object): void {
  guardProcess().stdin?.write(`${JSON.stringify(msg)}\n`)
}

/** Registers a cleanup the guard runs if this process goes away first; returns its handle. */
export function guardCleanup(name: string, cleanup: Cleanup): { update(c: Cleanup): void; drop(): void } {
  const id = `${name}-${++counter}`
  send({ id, ...cleanup })
  return {
    update: (c) => send({ id, ...c }),
    drop: () => send({ id, drop: true }),
  }
}

/** The guard's PID (for tests that check it leaves with its parent). */
export function guardPid(): number | undefined {
  return (globalThis as Holder)[key]?.pid
}
