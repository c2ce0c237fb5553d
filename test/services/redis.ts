import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './free-port.js'
import { guardCleanup } from './guard.js'
import type { Running } from './shared.js'

export interface RedisService {
  /** redis://127.0.0.1:PORT */
  url: string
  pid: number
}

const READY = /Ready to accept connections/

/**
 * Debian's redis-server on a free 127.0.0.1 port, nothing persisted, in a session of its own: the
 * guard (not the terminal's Ctrl-C) stops it by PID if this process goes away first.
 */
export async function startRedis(binary = 'redis-server'): Promise<Running<RedisService>> {
  const dir = await mkdtemp(join(tmpdir(), `shuttle-redis-run${process.pid}-`))
  let lastError = ''
  // The port was free when picked; if another process takes it first, redis exits: pick again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort()
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
    const child = spawn(binary, [...args, '--dir', dir, '--daemonize', 'no', '--logfile', ''], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const pid = child.pid
    if (pid === undefined) {
      const err = await new Promise<Error>((resolve) => child.once('error', resolve))
      await rm(dir, { recursive: true, force: true })
      throw new Error(`cannot start ${binary}: ${err.message}`)
    }
    const guard = guardCleanup('redis', { kill: [pid], remove: [dir] })
    let output = ''
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 30_000)
      const onData = (chunk: Buffer) => {
        output += chunk.toString()
        if (READY.test(output)) {
          clearTimeout(timer)
          resolve(true)
        }
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      child.once('exit', () => {
        clearTimeout(timer)
        resolve(false)
      })
    })
    if (ready) {
      // Keep draining its log so a full pipe never blocks it; neither stream keeps us alive.
      child.stdout.resume()
      child.stderr.resume()
      child.unref()
      for (const s of [child.stdout, child.stderr]) (s as unknown as { unref(): void }).unref()
      return {
        value: { url: `redis://127.0.0.1:${port}`, pid },
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((resolve) => child.once('exit', resolve))
            child.kill('SIGKILL')
            await exited
          }
          guard.drop()
          await rm(dir, { recursive: true, force: true })
        },
      }
    }
    if (child.exitCode === null) child.kill('SIGKILL')
    guard.drop()
    lastError = output.trim().split('\n').slice(-5).join('\n')
    if (!/Address already in use/.test(output)) break
  }
  await rm(dir, { recursive: true, force: true })
  throw new Error(`redis-server did not start:\n${lastError}`)
}
