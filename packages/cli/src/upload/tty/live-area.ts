/** What the live area needs of a terminal stream (process.stderr on a TTY). */
export interface TerminalStream {
  write(s: string): unknown
  readonly columns?: number
}

export interface LiveArea {
  /** Terminal width now; lines handed to render() must be narrower. */
  columns(): number
  /** A line (or lines) printed above the bars for good: scrolls away, never redrawn. */
  log(text: string): void
  /** Replaces the bars (drawn at most every `intervalMs`, the last call wins). */
  render(lines: readonly string[]): void
  /** Erases the bars now, e.g. before printing the summary after Ctrl-C. */
  clear(): void
  /** Draws the last bars once more (or nothing after clear()) and shows the cursor again. */
  stop(): void
}

const ESC = '\x1b['

/**
 * Bars redrawn in place below the log lines. Bars are always narrower than the terminal and are
 * followed by a newline, so the cursor rests at the start of an empty line: the row count to
 * erase is exact, and the `^C` the terminal echoes lands on that empty line, which is erased too.
 * Autowrap is never turned off, so a log line wider than the terminal wraps whole and loses nothing.
 */
export function createLiveArea(stream: TerminalStream, intervalMs = 100): LiveArea {
  let drawn = 0
  let lines: readonly string[] = []
  let logs: string[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  let hidden = false
  let stopped = false

  const erase = () => (drawn > 0 ? `\r${ESC}${drawn}A${ESC}J` : `\r${ESC}J`)
  const flush = () => {
    if (timer) clearTimeout(timer)
    timer = undefined
    let out = hidden ? '' : `${ESC}?25l`
    hidden = true
    out += erase()
    for (const l of logs) out += `${l}\n`
    logs = []
    for (const l of lines) out += `${l}\n`
    drawn = lines.length
    stream.write(out)
  }
  const schedule = () => {
    if (!timer && !stopped) timer = setTimeout(flush, intervalMs)
  }
  return {
    columns: () => stream.columns || 80,
    log(text) {
      logs.push(text)
      flush()
    },
    render(next) {
      lines = next
      schedule()
    },
    clear() {
      lines = []
      flush()
    },
    stop() {
      if (stopped) return
      flush()
      stopped = true
      stream.write(`${ESC}?25h`)
    },
  }
}
