import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const DEMO_DIST = `${ROOT}apps/demo/dist`

/** The e2e suite runs what users run: the built CLI serving the built demo. Say how to build if missing. */
export function assertBuilt(): void {
  const missing = [
    `${DEMO_DIST}/index.html`,
    `${DEMO_DIST}/engine.html`,
    `${ROOT}packages/cli/dist/index.js`,
  ].filter((p) => !existsSync(p))
  if (missing.length) {
    throw new Error(
      `e2e needs the built demo and CLI; missing ${missing.join(', ')}.\n` +
        'Run `npm run build` (tsc -b, then the @shuttle/vue and @shuttle/demo builds) first.',
    )
  }
}

export interface RunningServer {
  /** http://127.0.0.1:PORT */
  origin: string
  stop(): Promise<void>
}

/**
 * Starts `shuttle serve` on 127.0.0.1:0 as a child process; resolves once it prints its URL. It
 * serves the built demo, or `staticDir` when given.
 */
export function startServer(
  dir: string,
  extraArgs: readonly string[] = [],
  staticDir: string = DEMO_DIST,
): Promise<RunningServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      `${ROOT}packages/cli/bin/shuttle.js`,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--dir',
      dir,
      '--static',
      staticDir,
      '--quiet',
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve()
      const force = setTimeout(() => child.kill('SIGKILL'), 5000)
      child.once('exit', () => {
        clearTimeout(force)
        resolve()
      })
      child.kill('SIGTERM')
    })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`shuttle serve did not start within 20 s:\n${output}`))
    }, 20_000)
    const onData = (b: Buffer) => {
      output += b.toString()
      const m = /http:\/\/127\.0\.0\.1:(\d+)\/files\//.exec(output)
      if (m) {
        clearTimeout(timer)
        resolve({ origin: `http://127.0.0.1:${m[1]}`, stop })
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (b: Buffer) => {
      output += b.toString()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`shuttle serve exited with ${code}:\n${output}`))
    })
  })
}
