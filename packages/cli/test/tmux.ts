import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** A shell in a detached tmux session of a fixed size, on a private tmux server. */
export interface TmuxShell {
  /** Types a line and presses Enter. */
  type(line: string): Promise<void>
  /** Presses Ctrl-C. */
  interrupt(): Promise<void>
  /** The screen and its scrollback as tmux shows it (one string per terminal row). */
  screen(): Promise<string[]>
  /** Runs a command line, waits for the prompt to come back, then returns its exit status. */
  run(line: string, timeoutMs: number): Promise<number>
  /** Logical lines: rows the terminal wrapped are joined again (what a copy gives). */
  joined(): Promise<string[]>
  /** Everything the programs wrote to the terminal, escape sequences included. */
  raw(): Promise<string>
  close(): Promise<void>
}

export async function startTmuxShell(opts: {
  columns: number
  rows: number
  cwd: string
  env: Record<string, string>
  rawLog: string
}): Promise<TmuxShell> {
  const socket = `shuttle-test-${process.pid}-${opts.columns}`
  const tmux = (...args: string[]) => run('tmux', ['-L', socket, ...args], { encoding: 'utf8' })
  // A clean environment (env -i): nothing of the test runner's (npm_* variables) leaks in.
  const envArgs = Object.entries(opts.env).map(([k, v]) => `${k}='${v.replace(/'/g, `'\\''`)}'`)
  await tmux(
    'new-session',
    '-d',
    '-s',
    'main',
    '-x',
    String(opts.columns),
    '-y',
    String(opts.rows),
    '-c',
    opts.cwd,
    `env -i ${envArgs.join(' ')} bash --norc --noprofile`,
  )
  await tmux('set-option', '-g', 'history-limit', '5000')
  await tmux('pipe-pane', '-t', 'main', '-o', `cat >> '${opts.rawLog}'`)
  await tmux('send-keys', '-t', 'main', "PS1='$ '; clear", 'Enter')
  const capture = async (join: boolean) =>
    (await tmux('capture-pane', '-t', 'main', '-p', '-S', '-', ...(join ? ['-J'] : []))).stdout
      .replace(/\n+$/, '')
      .split('\n')
  let commands = 0
  const type = async (line: string) => {
    await tmux('send-keys', '-t', 'main', '-l', line)
    await tmux('send-keys', '-t', 'main', 'Enter')
  }
  const until = async (ms: number, what: string, done: () => Promise<boolean>) => {
    const end = Date.now() + ms
    while (!(await done())) {
      if (Date.now() > end)
        throw new Error(`timed out waiting for: ${what}\n${(await capture(true)).join('\n')}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  // Nothing is typed before the shell shows its clean prompt (typeahead would be echoed twice).
  await until(10_000, 'the shell prompt', async () => {
    const lines = (await capture(true)).filter((l) => l.trim() !== '')
    return lines.length === 1 && lines[0]?.trimEnd() === '$'
  })
  return {
    type,
    async run(line, timeoutMs) {
      await type(line)
      // The prompt is back below the command line: it ended (however it ended); then ask for $?.
      await until(timeoutMs, line, async () => {
        const lines = await capture(true)
        const at = lines.findLastIndex((l) => l.trimEnd().endsWith(`$ ${line}`))
        return at >= 0 && lines.length - 1 > at && lines.at(-1)?.trimEnd() === '$'
      })
      const marker = `status-${++commands}=`
      await type(`echo "${marker}$?"`)
      let status = -1
      await until(5_000, 'echo $?', async () => {
        const m = new RegExp(`^${marker}(\\d+)$`, 'm').exec((await capture(true)).join('\n'))
        if (m) status = Number(m[1])
        return m !== null
      })
      return status
    },
    async interrupt() {
      await tmux('send-keys', '-t', 'main', 'C-c')
    },
    screen: () => capture(false),
    joined: () => capture(true),
    raw: () => readFile(opts.rawLog, 'utf8').catch(() => ''),
    async close() {
      await tmux('kill-server').catch(() => {})
    },
  }
}
