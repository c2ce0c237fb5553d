import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createSpeedMeter, createThrottle, eta } from './progress.js'
import { createFakeTus, flush } from './test-support/fake-tus.js'
import { createTestUploader, file } from './test-support/uploader.js'

describe('speed meter', () => {
  it('converges on a steady rate and smooths a spike', () => {
    const m = createSpeedMeter()
    let bytes = 0
    for (let t = 0; t <= 10_000; t += 200) {
      m.sample(bytes, t)
      bytes += 200_000 // 1 MB/s
    }
    expect(m.speed).toBeCloseTo(1_000_000, -3)
    m.sample(bytes + 2_000_000, 10_400) // one burst 5x faster
    expect(m.speed).toBeLessThan(2_500_000)
    expect(m.speed).toBeGreaterThan(1_000_000)
  })

  it('ignores samples closer than 100 ms and resets on demand', () => {
    const m = createSpeedMeter()
    m.sample(0, 0)
    m.sample(1000, 10)
    expect(m.speed).toBe(0)
    m.sample(1000, 100)
    expect(m.speed).toBe(10_000)
    m.reset(1000, 200)
    expect(m.speed).toBe(0)
  })
})

describe('eta', () => {
  it('eta is null without a speed and 0 when done', () => {
    expect(eta(100, 0)).toBeNull()
    expect(eta(0, 0)).toBe(0)
    expect(eta(1000, 500)).toBe(2)
  })
})

describe('throttle', () => {
  it('lets one call per interval through, and forced calls always', () => {
    const th = createThrottle(100)
    expect(th(0)).toBe(true)
    expect(th(50)).toBe(false)
    expect(th(60, true)).toBe(true)
    expect(th(100)).toBe(false)
    expect(th(160)).toBe(true)
  })
})

describe('progress events', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('are throttled to ~10/s per file and always end with a final one', async () => {
    const fake = createFakeTus()
    const up = createTestUploader(fake)({ endpoint: 'http://tus.test/files', chunkSize: 10 })
    const events: Array<{ bytesSent: number; bytesConfirmed: number }> = []
    const totals: number[] = []
    up.on('progress', (p) => events.push(p))
    up.on('total-progress', (p) => totals.push(p.bytesConfirmed))
    const [id] = up.add(file('a', 1000)) as [string]
    await flush(2000) // 100 chunks with no time passing
    expect(up.getFile(id)?.status).toBe('completed')
    expect(events.length).toBeLessThanOrEqual(3)
    expect(events.at(-1)).toMatchObject({ bytesSent: 1000, bytesConfirmed: 1000, bytesTotal: 1000 })
    expect(totals.at(-1)).toBe(1000)
  })

  it('many files finishing at once do not each force a total: throttled, plus the final one', async () => {
    const fake = createFakeTus()
    const up = createTestUploader(fake)({ endpoint: 'http://tus.test/files', maxConcurrentUploads: 50 })
    const totals: number[] = []
    up.on('total-progress', (p) => totals.push(p.bytesConfirmed))
    const ids = up.add(Array.from({ length: 50 }, (_, i) => file(`f${i}`, 100))) as string[]
    await flush(2000)
    expect(ids.every((id) => up.getFile(id)?.status === 'completed')).toBe(true)
    expect(totals.length).toBeLessThanOrEqual(4)
    expect(totals.at(-1)).toBe(50 * 100)
  })
})
