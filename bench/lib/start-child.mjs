// Servers the bench starts as child processes: spawned, awaited until they print where they
// listen, and killed (by pid) if the bench exits early.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** What `shuttle serve` prints once it listens; group 1 is the port. */
export const SHUTTLE_LISTENING = /http:\/\/127\.0\.0\.1:(\d+)\/files\//

const THIS_REPO = fileURLToPath(new URL('../..', import.meta.url))

/**
 * Arguments for startChild that run `shuttle serve` (of the checkout at `root`) on 127.0.0.1 and a
 * free port, quiet, then `args` (its store, limits): what SHUTTLE_LISTENING waits for.
 */
export const shuttleServeArgs = (args, root = THIS_REPO) => [
  join(root, 'packages/cli/bin/shuttle.js'),
  'serve',
  '--host',
  '127.0.0.1',
  '--port',
  '0',
  '--quiet',
  ...args,
]

const running = new Set()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

/**
 * Spawns `command args` (default: this Node running `args`) and resolves with the child and its
 * endpoint (`http://127.0.0.1:<port>/files/`, the port from `re`'s group 1) once its stdout shows
 * it; rejects with everything it printed if it exits first or shows nothing within 30 s.
 */
export function startChild(args, env = process.env, re = SHUTTLE_LISTENING, command = process.execPath) {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  child.once('exit', () => running.delete(child))
  let out = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`no endpoint within 30 s:\n${out}`))
    }, 30_000)
    const onData = (c) => {
      out += c
      const m = re.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve({ child, endpoint: `http://127.0.0.1:${m[1]}/files/` })
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', (c) => {
      out += c
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`exited (${code}) before listening:\n${out}`))
    })
  })
}
