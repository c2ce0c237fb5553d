import { describe, expect, it } from 'vitest'
import { RateWindow } from './rate-window.js'

describe('RateWindow', () => {
  it('allows `limit` events per window per key and says exactly how long to wait', () => {
    let now = 1_000
    const w = new RateWindow(2, 60_000, () => now)
    expect(w.waitFor('a')).toBe(0)
    w.record('a')
    now += 10_000
    w.record('a')
    expect(w.waitFor('a')).toBe(50_000)
    expect(w.waitFor('b')).toBe(0)
    now += 50_000
    expect(w.waitFor('a')).toBe(0)
    w.record('a')
    expect(w.waitFor('a')).toBe(10_000)
  })

  it('forgets idle keys once many are kept', () => {
    let now = 0
    const w = new RateWindow(1, 1000, () => now)
    for (let i = 0; i <= 10_000; i++) w.record(`k${i}`)
    now += 2000
    w.record('fresh')
    expect(w.waitFor('k1')).toBe(0)
    expect(w.waitFor('fresh')).toBe(1000)
  })
})
