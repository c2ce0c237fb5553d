import { describe, expect, it } from 'vitest'
import { barLine, barLines, resultLine } from './bar-line.js'
import { widthOf } from './width.js'

const row = {
  name: 'a-rather-long-video-name-from-the-camera.mp4',
  fraction: 0.531,
  fields: ['321.0 MiB / 600.0 MiB', '340.3 MiB/s', 'ETA 0:02'],
}

describe('barLine', () => {
  it.each([40, 60, 80, 110, 200])('fits in %i columns and never cuts a number', (width) => {
    const line = barLine(row, width)
    expect(widthOf(line)).toBeLessThanOrEqual(width)
    expect(line).toContain(' 53%')
    // Every field shown is shown whole.
    const shown = line.split(' 53%')[1] ?? ''
    for (const part of shown.split(' | ').filter(Boolean)) expect(row.fields).toContain(part)
  })
  it('keeps every field at 110 columns and drops the last ones first at 60', () => {
    expect(barLine(row, 110)).toMatch(/ 53% \| 321\.0 MiB \/ 600\.0 MiB \| 340\.3 MiB\/s \| ETA 0:02$/)
    expect(barLine(row, 60)).toMatch(/ 53% \| 321\.0 MiB \/ 600\.0 MiB$/)
  })
  it('shortens the name in the middle, keeping its extension', () => {
    expect(barLine(row, 80)).toMatch(/^ a-rather-…\S*\.mp4 /)
  })
})

describe('barLines', () => {
  it('gives every row the same name and bar width, so the bars line up', () => {
    const rows = [
      { name: 'total', fraction: 0.46, fields: ['37.0 MiB / 80.0 MiB', '6.0 MiB/s', 'ETA 0:06'] },
      { name: 'c-poster.jpg', fraction: 0.04, fields: ['1.0 MiB / 24.0 MiB', '0 B/s'] },
      { name: '会议记录-第三季度-视频.mp4', fraction: 1, fields: ['16.0 MiB / 16.0 MiB', '4.0 MiB/s'] },
    ]
    for (const width of [60, 79, 109]) {
      const lines = barLines(rows, width)
      const barStart = lines.map((l) => widthOf(l.slice(0, l.search(/[█░]/))))
      expect(new Set(barStart).size, lines.join('\n')).toBe(1)
      for (const l of lines) expect(widthOf(l)).toBeLessThanOrEqual(width)
    }
  })
})

describe('resultLine', () => {
  const url = 'http://127.0.0.1:1080/files/hcx90oXMDZtejBGizp7uotrp'
  it('prints the whole line when it fits', () => {
    expect(resultLine('✔', 'clip.mp4', url, 110)).toBe(`✔ clip.mp4 → ${url}`)
  })
  it('shortens the name, never the URL', () => {
    const line = resultLine('✔', 'a-rather-long-video-name-from-the-camera.mp4', url, 80)
    expect(widthOf(line)).toBeLessThanOrEqual(80)
    expect(line.endsWith(` → ${url}`)).toBe(true)
    expect(line).toContain('…')
  })
  it('puts the URL on its own line when nothing else fits beside it', () => {
    const line = resultLine('✔', 'clip-from-the-camera.mp4', url, 50)
    expect(line.split('\n')).toEqual([expect.stringMatching(/^✔ clip-from-the-camera\.mp4$/), `  → ${url}`])
  })
})
