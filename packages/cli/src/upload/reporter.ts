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
  /** Takes the progress display off the screen (before the summary after Ctrl-C). */
  clear(): void
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
    clear: () => {},
    stop: () => {},
  }
}

export function silentReporter(write: (s: string) => void = (s) => process.stderr.write(s)): Reporter {
  return { ...plainReporter(() => {}), failed: (_id, name, reason) => write(`failed   ${name}: ${reason}\n`) }
}
