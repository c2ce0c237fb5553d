import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, onTestFinished } from 'vitest'

// The fixtures run as plain Node processes, without the tests' aliases: they import the build.
const BUILT_ENGINE = fileURLToPath(new URL('../../dist/node/index.js', import.meta.url))

/** Fails the test with a hint when the engine the fixtures import has not been built. */
export function expectBuiltEngine(): void {
  expect(existsSync(BUILT_ENGINE), `built engine missing at ${BUILT_ENGINE}: run npx tsc -b`).toBe(true)
}

/** One JSON line a fixture printed, or `stderr` with what it wrote there when it crashed. */
export interface ChildEvent {
  readonly event: string
  readonly url?: string
  readonly bytesConfirmed?: number
  readonly error?: string
}

export interface ChildExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface ChildRun {
  readonly proc: ChildProcess
  readonly events: ChildEvent[]
  readonly exited: Promise<ChildExit>
  /** `exited`, or a rejection "`what` timed out" after `timeoutMs`. */
  exitedWithin(timeoutMs: number, what: string): Promise<ChildExit>
}

/**
 * Runs `fixtures/<fixture>` with `args` in a Node child process and collects the JSON lines it
 * prints. A child still running when its test finishes is SIGKILLed, so it never outlives the
 * servers it talks to (those close after it: test-finished hooks run last registered first).
 */
export function runChild(fixture: string, args: readonly string[]): ChildRun {
  const script = fileURLToPath(new URL(`../fixtures/${fixture}`, import.meta.url))
  const proc = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let running = true
  onTestFinished(() => {
    if (running && proc.pid !== undefined) proc.kill('SIGKILL')
  })
  const events: ChildEvent[] = []
  let buffered = ''
  proc.stdout?.on('data', (d: Buffer) => {
    buffered += d.toString('utf8')
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line))
  })
  let stderr = ''
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8')
  })
  const exited = new Promise<ChildExit>((resolve) => {
    proc.on('exit', (code, signal) => {
      running = false
      if (code !== 0 && signal !== 'SIGKILL') events.push({ event: 'stderr', error: stderr.slice(0, 2000) })
      resolve({ code, signal })
    })
  })
  const exitedWithin = (timeoutMs: number, what: string) => {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out`)), timeoutMs)
    })
    return Promise.race([exited, timeout]).finally(() => clearTimeout(timer))
  }
  return { proc, events, exited, exitedWithin }
}
