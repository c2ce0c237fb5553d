import { describe, expect, it } from 'vitest'
import { createLiveArea } from './live-area.js'

function capture(columns = 80) {
  let out = ''
  return { stream: { columns, write: (s: string) => (out += s) }, out: () => out }
}

describe('createLiveArea', () => {
  it('logs above the bars, then redraws exactly the rows it drew', () => {
    const t = capture()
    const area = createLiveArea(t.stream, 1_000_000)
    area.render(['bar 1', 'bar 2'])
    area.log('✔ a.bin → http://x/files/1')
    // log() flushes at once: erase nothing yet, the log line, then both bars and a newline each.
    expect(t.out()).toBe('\x1b[?25l\r\x1b[J✔ a.bin → http://x/files/1\nbar 1\nbar 2\n')
    area.render(['bar 1 again'])
    area.stop()
    // Up two rows (the cursor rests on the empty line below the bars), erase, draw, show cursor.
    expect(t.out().endsWith('\r\x1b[2A\x1b[Jbar 1 again\n\x1b[?25h')).toBe(true)
  })
  it('clear() erases the bars so the next lines start on a clean row', () => {
    const t = capture()
    const area = createLiveArea(t.stream, 1_000_000)
    area.render(['a', 'b', 'c'])
    area.log('x')
    area.clear()
    expect(t.out().endsWith('\r\x1b[3A\x1b[J')).toBe(true)
    area.stop()
    expect(t.out().endsWith('\r\x1b[J\x1b[?25h')).toBe(true)
  })
})
