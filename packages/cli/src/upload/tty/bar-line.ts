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
 * Progress lines that fit in `width` columns and line up (one name width and bar width for all):
 * ` name ███░░░  53% | 321.0 MiB / 600.0 MiB | …`. When they do not fit, the bar and the name
 * shrink first (the name with an ellipsis in the middle), then the trailing fields are dropped
 * whole, the same number from every row; a number is never cut.
 */
export function barLines(rows: readonly BarRow[], width: number): string[] {
  const pcts = rows.map(
    (r) => `${String(Math.floor(Math.min(1, Math.max(0, r.fraction)) * 100)).padStart(3)}%`,
  )
  const tail = (i: number, n: number) =>
    [pcts[i] as string, ...(rows[i] as BarRow).fields.slice(0, n)].join(' | ')
  const most = Math.max(0, ...rows.map((r) => r.fields.length))
  // First try to keep a readable name (fields dropped from the end), then settle for a short one.
  for (const [nameMin, barMin] of [
    [NAME_READABLE, BAR_READABLE],
    [NAME_MIN, BAR_MIN],
  ] as const) {
    for (let n = most; n >= 0; n--) {
      const tailWidth = Math.max(0, ...rows.map((_, i) => widthOf(tail(i, n))))
      const room = width - tailWidth - 3 // ' name bar tail'
      if (room < nameMin + barMin) continue
      const nameWidth = Math.min(NAME_MAX, Math.max(nameMin, room - BAR_MAX))
      const barWidth = Math.min(BAR_MAX, room - nameWidth)
      return rows.map((r, i) => ` ${fitMiddle(r.name, nameWidth)} ${bar(r.fraction, barWidth)} ${tail(i, n)}`)
    }
  }
  // Very narrow: name and percentage only.
  return rows.map((r, i) =>
    ` ${fitMiddle(r.name, Math.max(1, width - 3 - (pcts[i] as string).length))} ${pcts[i]}`.slice(
      0,
      Math.max(0, width),
    ),
  )
}

/** One progress line (see barLines). */
export const barLine = (row: BarRow, width: number): string => barLines([row], width)[0] as string

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
