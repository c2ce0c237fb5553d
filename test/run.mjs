#!/usr/bin/env node
// `npm test`: checks (and on Debian as root installs) the system programs the suite needs, builds,
// then runs `vitest run` with any extra arguments. The services (Ceph RGW, redis-server) are
// started by the vitest projects that need them; test/services/guard.mjs stops them by PID even
// when this run is interrupted.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ensureSystemDeps } from './system-deps.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))

try {
  ensureSystemDeps()
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err))
  process.exit(1)
}

const npm = process.env.npm_execpath
const build = npm
  ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' })
  : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' })
if (build.status !== 0) process.exit(build.status ?? 1)

// The guards of this run write their PIDs here, so that after an interruption `npm test` returns
// only once they have stopped the services (test/services/guard.ts).
const guards = mkdtempSync(join(tmpdir(), 'shuttle-guards-'))
const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs')
const child = spawn(process.execPath, [vitestBin, 'run', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, SHUTTLE_TEST_GUARDS: guards },
})

// Ctrl-C reaches vitest directly (same process group); a signal sent to this process alone (npm
// forwards SIGTERM to its script, which `exec` in package.json makes this process) is passed on if
// vitest has not left by itself within a moment (a second SIGINT would cut vitest's own exit
// short). This process leaves only after vitest has.
const passOn = (signal) => {
  setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
  }, 300).unref()
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => passOn(signal))
// If whoever ran `npm test` is gone (npm killed, the shell's SIGTERM not passed on), so is the run.
const parent = process.ppid
const watch = setInterval(() => {
  if (process.ppid === parent) return
  clearInterval(watch)
  passOn('SIGTERM')
}, 1000)
watch.unref()
/** Running, not a zombie (the guards are vitest's children; PID 1 reaps them when it gets to it). */
function running(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch {
    return false
  }
}

child.on('exit', async (code, signal) => {
  const deadline = Date.now() + 120_000
  const pids = readdirSync(guards).map(Number)
  while (pids.some(running) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
  rmSync(guards, { recursive: true, force: true })
  process.exit(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15))
})
