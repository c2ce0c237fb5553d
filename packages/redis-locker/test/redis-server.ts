import { type ChildProcess, spawn } from 'node:child_process'
import { guardCleanup } from '../../../test/services/guard.js'

/**
 * A redis-server of this test's own on `port` (nothing persisted), to stop and start again on the
 * same port. Stopped by PID; the run's guard stops it too if the test process dies first.
 */
export async function startRedisServer(port: number): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--logfile', ''],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  if (child.pid === undefined)
    throw new Error('cannot start redis-server: install it (apt-get install redis-server)')
  const guard = guardCleanup('redis', { kill: [child.pid] })
  await new Promise<void>((resolve, reject) => {
    let output = ''
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (/Ready to accept connections/.test(output)) resolve()
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', () => reject(new Error(`redis-server exited:\n${output}`)))
  })
  child.stdout?.resume()
  child.stderr?.resume()
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      await kill(child)
      guard.drop()
    },
  }
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
}
