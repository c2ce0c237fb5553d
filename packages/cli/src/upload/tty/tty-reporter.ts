import { formatBytes } from '../../units.js'
import { formatEta, formatSpeed, type Reporter } from '../reporter.js'
import { type BarRow, barLines, resultLine } from './bar-line.js'
import { createLiveArea, type TerminalStream } from './live-area.js'

interface FileBar {
  name: string
  sent: number
  size: number
  speed: number
}

/**
 * A total bar (speed, ETA) and one bar per active file, redrawn in place; finished, failed and
 * retried files get a permanent line above them. Every line fits the terminal's current width.
 */
export function ttyReporter(stream: TerminalStream & NodeJS.EventEmitter = process.stderr): Reporter {
  const area = createLiveArea(stream)
  const bars = new Map<string, FileBar>()
  const total = { sent: 0, size: 0, speed: 0, eta: null as number | null, known: false }
  const draw = () => {
    const width = area.columns() - 1
    const rows: BarRow[] = []
    if (total.known) {
      rows.push({
        name: 'total',
        fraction: total.size > 0 ? total.sent / total.size : 0,
        fields: [
          `${formatBytes(total.sent)} / ${formatBytes(total.size)}`,
          formatSpeed(total.speed),
          `ETA ${formatEta(total.eta)}`,
        ],
      })
    }
    for (const b of bars.values()) {
      rows.push({
        name: b.name,
        fraction: b.size > 0 ? b.sent / b.size : 0,
        fields: [`${formatBytes(b.sent)} / ${formatBytes(b.size)}`, formatSpeed(b.speed)],
      })
    }
    const lines = barLines(rows, width)
    area.render(lines)
  }
  const onResize = () => draw()
  stream.on('resize', onResize)
  const log = (text: string) => area.log(text)
  return {
    started(id, name, size) {
      if (!bars.has(id)) bars.set(id, { name, sent: 0, size, speed: 0 })
      draw()
    },
    progress(id, sent, size, speed) {
      const b = bars.get(id)
      if (!b) return
      Object.assign(b, { sent: Math.min(sent, size), size, speed })
      draw()
    },
    total(sent, size, speed, eta) {
      // A retry or a pause takes back bytes that were in flight; the total shown never goes back.
      const shown = Math.max(total.sent, Math.min(sent, size))
      // The last event, after the last file, reports no speed: keep the one seen before.
      const done = shown >= size && speed === 0
      Object.assign(total, { sent: shown, size, speed: done ? total.speed : speed, eta: done ? 0 : eta })
      total.known = true
      draw()
    },
    finished(id, name, url) {
      bars.delete(id)
      log(resultLine('✔', name, url, area.columns() - 1))
      draw()
    },
    failed(id, name, reason) {
      bars.delete(id)
      log(`✖ ${name}: ${reason}`)
      draw()
    },
    retrying(_id, name, attempt, delayMs, reason) {
      log(`↻ ${name}: ${reason}; retry ${attempt} in ${(delayMs / 1000).toFixed(1)}s`)
    },
    paused(id) {
      bars.delete(id)
      draw()
    },
    line: log,
    clear() {
      bars.clear()
      total.known = false
      area.clear()
    },
    stop() {
      stream.off('resize', onResize)
      area.stop()
    },
  }
}
