import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const BIN = fileURLToPath(new URL('../bin/shuttle.js', import.meta.url))
const DIST = fileURLToPath(new URL('../dist/main.js', import.meta.url))

export function assertBuilt(): void {
  if (!existsSync(DIST))
    throw new Error('packages/cli/dist is missing: run `npx tsc -b` (npm test does) first')
}

export interface CliRun {
  child: ChildProcess
  stdout(): string
  stderr(): string
  exit: Promise<number | null>
}

const running = new Set<ChildProcess>()

/** Runs the built `shuttle` binary; stdout and stderr are collected. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  })
  running.add(child)
  let out = ''
  let err = ''
  child.stdout?.on('data', (c) => {
    out += c
  })
  child.stderr?.on('data', (c) => {
    err += c
  })
  const exit = once(child, 'exit').then(([code]) => {
    running.delete(child)
    return code as number | null
  })
  return { child, stdout: () => out, stderr: () => err, exit }
}

/** Kills (SIGKILL) every child this file started that is still alive. */
export function killAll(): void {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  running.clear()
}

export async function waitFor(get: () => string, re: RegExp, ms = 10_000): Promise<RegExpExecArray> {
  const end = Date.now() + ms
  while (Date.now() < end) {
    const m = re.exec(get())
    if (m) return m
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`timed out waiting for ${re} in:\n${get()}`)
}

/** One line of `shuttle upload --json` (see the CLI README). */
export interface JsonLine {
  name: string
  path: string
  relativePath: string
  size: number
  url: string
  sha256: string
  verified: boolean
  instant: boolean
  identity?: string
}

/** The `--json` lines a run printed on stdout. */
export const parseJsonLines = (stdout: string): JsonLine[] =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JsonLine)
