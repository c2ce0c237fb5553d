import { describe, expect, it } from 'vitest'
import type { UploadStatus } from './machine.js'
import { computeTotals, type TotalsItem } from './totals.js'

const item = (
  status: UploadStatus,
  size: number | null,
  sent: number,
  confirmed: number,
  speed = 0,
): TotalsItem => ({
  status,
  size,
  bytesSent: sent,
  bytesConfirmed: confirmed,
  speed,
})

describe('computeTotals', () => {
  it('sums bytes, counts phases and derives percent and eta from moving files only', () => {
    const t = computeTotals([
      item('uploading', 100, 40, 30, 10),
      item('queued', 50, 0, 0),
      item('paused', 100, 20, 20, 99), // a paused file's stale speed does not count
      item('completed', 20, 20, 20),
      item('failed', 30, 10, 10),
      item('canceled', 1000, 500, 500, 7), // counts for nothing
    ])
    expect(t).toEqual({
      bytesTotal: 300,
      bytesSent: 90,
      bytesConfirmed: 80,
      speed: 10,
      eta: 21,
      percent: 30,
      active: 2,
      completed: 1,
      failed: 1,
      paused: 1,
    })
  })

  it('a completed file counts its whole size; a file of unknown size counts 0', () => {
    const t = computeTotals([item('completed', 10, 3, 3), item('preparing', null, 5, 0)])
    expect(t.bytesTotal).toBe(10)
    expect(t.bytesSent).toBe(10)
    expect(t.bytesConfirmed).toBe(10)
  })

  it('eta: 0 when everything arrived, null when nothing moves or there is nothing', () => {
    expect(computeTotals([item('completed', 10, 10, 10)]).eta).toBe(0)
    expect(computeTotals([item('paused', 10, 5, 5)]).eta).toBeNull()
    expect(computeTotals([item('uploading', 10, 5, 5, 0)]).eta).toBeNull()
    expect(computeTotals([]).eta).toBeNull()
    expect(computeTotals([]).percent).toBe(0)
  })
})
