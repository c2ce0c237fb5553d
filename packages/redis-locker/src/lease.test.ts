import { isUploadError } from '@shuttle/protocol'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createLease } from './lease.js'

describe('createLease (the Redis lease deadline)', () => {
  let clock = 0
  const now = () => clock
  const advance = (ms: number) => {
    clock += ms
    vi.advanceTimersByTime(ms)
  }
  beforeEach(() => {
    clock = 1000
    vi.useFakeTimers()
  })
  afterEach(() => vi.useRealTimers())

  const lostCode = (fn: () => void) => {
    try {
      fn()
    } catch (err) {
      return isUploadError(err) ? `${err.code} ${(err as { status?: number }).status}` : String(err)
    }
    return 'held'
  }

  it('holds until validFor after the send time, then lost fires by itself', () => {
    const c = createLease('u1', 7, 750, 900, now) // sent 100 ms ago: 650 ms of trust left
    expect(c.lease.fence).toBe(7)
    advance(649)
    expect(c.lease.lost.aborted).toBe(false)
    expect(lostCode(() => c.lease.assertHeld())).toBe('held')
    advance(2)
    expect(c.lease.lost.aborted).toBe(true)
    expect(c.lease.lost.reason).toMatch(/overdue/)
    expect(lostCode(() => c.lease.assertHeld())).toBe('ERR_LEASE_LOST 423')
  })

  it('a renewal moves the deadline to its own send time + validFor, never backwards', () => {
    const c = createLease('u1', 1, 750, clock, now)
    advance(500)
    c.renewed(clock - 100) // sent 100 ms ago: trusted until clock + 650
    c.renewed(clock - 400) // an older answer arriving late changes nothing
    advance(640)
    expect(c.lease.lost.aborted).toBe(false)
    advance(20)
    expect(c.lease.lost.aborted).toBe(true)
  })

  it('assertHeld refuses past the deadline even before the timer runs (a process just resumed)', () => {
    const c = createLease('u1', 1, 750, clock, now)
    clock += 5000 // the clock moved, the timers did not get to run
    expect(lostCode(() => c.lease.assertHeld())).toBe('ERR_LEASE_LOST 423')
    expect(c.lease.lost.aborted).toBe(true)
  })

  it('lose() aborts with its reason, once; a renewal after it does not revive the lease', () => {
    const c = createLease('u1', 1, 750, clock, now)
    c.lose('taken over')
    c.lose('again')
    c.renewed(clock)
    expect(c.lease.lost.reason).toBe('taken over')
    expect(() => c.lease.assertHeld()).toThrow(/was lost \(taken over\); nothing more was stored/)
  })
})
