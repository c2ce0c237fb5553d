import { fitMiddle, widthOf } from './width.js'

export interface BarRow {
  name: string
  /** 0..1 */
  fraction: number
  /** Shown after the percentage, most important first; the last ones are dropped when narrow. */
  fields: readonly string[]
}

const NAME_MAX = 28
const NAME_MIN = 10
const NAME_READABLE = 18
const BAR_READABLE = 10
const BAR_MAX = 24
const BAR_MIN = 8

/**
 * One progress line that fits in `width` columns: ` name ███░░░  53% | 321.0 MiB / 600.0 MiB | …`.
 * When it does not fit, the bar and the name shrink first (the name with an ellipsis in the
 * middle), then the trailing fields are dropped whole; a number is never cut.
 */
export function barLine(row: BarRow, width: number): string {
  const pct = `${String(Math.floor(Math.min(1, Math.max(0, row.fraction)) * 100)).padStart(3)}%`
  // First try to keep a readable name (fields dropped from the end), then settle for a short one.
  for (const [nameMin, barMin] of [
    [NAME_READABLE, BAR_READABLE],
    [NAME_MIN, BAR_MIN],
  ] as const) {
    for (let n = row.fields.length; n >= 0; n--) {
      const tail = [pct, ...row.fields.slice(0, n)].join(' | ')
      const room = width - widthOf(tail) - 3 // ' name bar tail'
      if (room < nameMin + barMin) continue
      const nameWidth = Math.min(NAME_MAX, Math.max(nameMin, room - BAR_MAX))
      const barWidth = Math.min(BAR_MAX, room - nameWidth)
      return ` ${fitMiddle(row.name, nameWidth)} ${bar(row.fraction, barWidth)} ${tail}`
    }
  }
  // Very narrow: name and percentage only.
  return ` ${fitMiddle(row.name, Math.max(1, width - 2 - pct.length))} ${pct}`.slice(0, Math.max(0, width))
}

function bar(fraction: number, width: number): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * width)
  return '█'.repeat(full) + '░'.repeat(width - full)
}

/**
 * `✔ name → url` in `width` columns: the name is shortened in the middle when needed; a URL is never
 * cut: when it leaves no room for the name, it goes on a line of its own (wrapped whole by the
 * terminal if it is wider than the terminal).
 */
export function resultLine(mark: string, name: string, url: string, width: number): string {
  const fixed = widthOf(`${mark}  → `) + widthOf(url)
  if (fixed + widthOf(name) <= width) return `${mark} ${name} → ${url}`
  if (width - fixed >= NAME_MIN) return `${mark} ${fitMiddle(name, width - fixed).trimEnd()} → ${url}`
  return `${mark} ${fitMiddle(name, width - 2).trimEnd()}\n  → ${url}`
}
