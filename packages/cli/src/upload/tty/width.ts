import stringWidth from 'string-width'

/** Terminal columns a string takes (wide CJK characters count 2, combining marks 0). */
export const widthOf = (s: string): number => stringWidth(s)

/**
 * `s` in exactly `width` columns: padded with spaces when shorter, else cut in the middle with an
 * ellipsis, so both the start and the extension of a file name stay visible.
 */
export function fitMiddle(s: string, width: number): string {
  const w = widthOf(s)
  if (w <= width) return s + ' '.repeat(width - w)
  if (width <= 0) return ''
  if (width === 1) return '…'
  const chars = Array.from(s)
  const tailBudget = Math.floor((width - 1) / 2)
  let headBudget = width - 1 - tailBudget
  let head = ''
  for (const c of chars) {
    const cw = widthOf(c)
    if (cw > headBudget) break
    head += c
    headBudget -= cw
  }
  let tail = ''
  let tailLeft = tailBudget + headBudget // columns the head could not use go to the tail
  for (let i = chars.length - 1; i >= 0; i--) {
    const c = chars[i] as string
    const cw = widthOf(c)
    if (cw > tailLeft) break
    tail = c + tail
    tailLeft -= cw
  }
  const out = `${head}…${tail}`
  return out + ' '.repeat(Math.max(0, width - widthOf(out)))
}
