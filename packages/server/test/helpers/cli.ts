import { type ChildProcess, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

export const CLI_BIN = fileURLToPath(new URL('../../../cli/bin/shuttle.js', import.meta.url))

export interface CliServer {
  child: ChildProcess
  pid: number
  /** http://127.0.0.1:PORT/files/ as printed by the CLI. */
  endpoint: string
  port: number
  /** Everything the child printed so far. */
  output(): string
  /** Resolves with the exit code / signal when the child is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Sends `signal` to this child only (if still running) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>
  alive(): boolean
}

const URL_RE = /http:\/\/127\.0\.0\.1:(\d+)\/files\//

/**
 * Spawns `shuttle serve --host 127.0.0.1 --port 0 --dir DIR …` (from dist: run `tsc -b` first)
 * and resolves once it printed its endpoint.
 */
export async function spawnCli(
  dir: string,
  extraArgs: string[] = [],
  timeoutMs = 20_000,
): Promise<CliServer> {
  const child = spawn(
    process.execPath,
    [CLI_BIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--dir', dir, '--quiet', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let out = ''
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s))
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out += s))
  let running = true
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running = false
      resolve({ code, signal })
    })
  })
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      if (running) child.kill('SIGKILL')
      reject(new Error(`shuttle serve printed no endpoint within ${timeoutMs} ms:\n${out}`))
    }, timeoutMs)
    const check = () => {
      const m = URL_RE.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(Number(m[1]))
      }
    }
    child.stdout!.on('data', check)
    void exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`shuttle serve exited (${code ?? signal}) before listening:\n${out}`))
    })
  })
  const pid = child.pid!
  return {
    child,
    pid,
    port,
    endpoint: `http://127.0.0.1:${port}/files/`,
    output: () => out,
    exited,
    alive: () => running,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (!running) return
      child.kill(signal)
      const timer = setTimeout(() => running && child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Current and peak resident set size of a process, in bytes, from /proc/<pid>/status. */
export async function readRss(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)
    if (!m) throw new Error(`no ${name} in /proc/${pid}/status`)
    return Number(m[1]) * 1024
  }
  return { rss: field('VmRSS'), hwm: field('VmHWM') }
}
