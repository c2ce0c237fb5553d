import cliProgress from 'cli-progress'
import { formatBytes } from '../units.js'

/** What the upload command tells a person; TTY bars or plain lines, both on stderr. */
export interface Reporter {
  started(id: string, name: string, size: number): void
  progress(id: string, bytesSent: number, size: number, speed: number): void
  total(bytesSent: number, bytesTotal: number, speed: number, eta: number | null): void
  finished(id: string, name: string, url: string): void
  failed(id: string, name: string, reason: string): void
  retrying(id: string, name: string, attempt: number, delayMs: number, reason: string): void
  paused(id: string, name: string): void
  line(text: string): void
  stop(): void
}

export const formatSpeed = (bps: number) => `${formatBytes(Math.round(bps))}/s`
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--'
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const ss = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

function shorten(name: string, width: number): string {
  return name.length <= width ? name.padEnd(width) : `…${name.slice(name.length - width + 1)}`
}

/** One bar per active file plus a total bar with speed and ETA (cli-progress). */
export function ttyReporter(stream: NodeJS.WriteStream = process.stderr): Reporter {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: ' {name} {bar} {percentage}% | {done} / {size} | {speed} {left}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      autopadding: true,
      etaBuffer: 1,
      fps: 10,
      forceRedraw: false,
    },
    cliProgress.Presets.shades_classic,
  )
  const bars = new Map<string, cliProgress.SingleBar>()
  const totalBar = multi.create(1, 0, { name: shorten('total', 28), done: '', size: '', speed: '', left: '' })
  const drop = (id: string) => {
    const bar = bars.get(id)
    if (bar) multi.remove(bar)
    bars.delete(id)
  }
  return {
    started(id, name, size) {
      if (bars.has(id)) return
      bars.set(
        id,
        multi.create(Math.max(size, 1), 0, {
          name: shorten(name, 28),
          done: formatBytes(0),
          size: formatBytes(size),
          speed: '',
          left: '',
        }),
      )
    },
    progress(id, sent, size, speed) {
      bars.get(id)?.update(Math.min(sent, Math.max(size, 1)), {
        done: formatBytes(sent),
        size: formatBytes(size),
        speed: formatSpeed(speed),
        left: '',
      })
    },
    total(sent, total, speed, eta) {
      totalBar.setTotal(Math.max(total, 1))
      totalBar.update(Math.min(sent, Math.max(total, 1)), {
        done: formatBytes(sent),
        size: formatBytes(total),
        speed: formatSpeed(speed),
        left: `ETA ${formatEta(eta)}`,
      })
    },
    finished(id, name, url) {
      drop(id)
      multi.log(`✔ ${name} → ${url}\n`)
    },
    failed(id, name, reason) {
      drop(id)
      multi.log(`✖ ${name}: ${reason}\n`)
    },
    retrying(_id, name, attempt, delayMs, reason) {
      multi.log(`↻ ${name}: ${reason}; retry ${attempt} in ${(delayMs / 1000).toFixed(1)}s\n`)
    },
    paused(id) {
      drop(id)
    },
    line(text) {
      multi.log(`${text}\n`)
    },
    stop() {
      // stop() renders the bars but drops lines logged since the last redraw; update() flushes them.
      multi.update()
      multi.stop()
    },
  }
}

/** Not a TTY: one plain line per file event, nothing per progress tick. */
export function plainReporter(write: (s: string) => void = (s) => process.stderr.write(s)): Reporter {
  return {
    started: (_id, name, size) => write(`started  ${name} (${formatBytes(size)})\n`),
    progress: () => {},
    total: () => {},
    finished: (_id, name, url) => write(`done     ${name} → ${url}\n`),
    failed: (_id, name, reason) => write(`failed   ${name}: ${reason}\n`),
    retrying: (_id, name, attempt, delayMs, reason) =>
      write(`retry    ${name}: ${reason}; attempt ${attempt} in ${(delayMs / 1000).toFixed(1)}s\n`),
    paused: (_id, name) => write(`paused   ${name}\n`),
    line: (text) => write(`${text}\n`),
    stop: () => {},
  }
}

export function silentReporter(write: (s: string) => void = (s) => process.stderr.write(s)): Reporter {
  return { ...plainReporter(() => {}), failed: (_id, name, reason) => write(`failed   ${name}: ${reason}\n`) }
}
