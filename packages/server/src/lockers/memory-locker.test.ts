import { isUploadError } from '@shuttle/protocol'
import { describe, expect, it, vi } from 'vitest'
import { MemoryLocker } from './memory-locker.js'

const never = () => new AbortController().signal

describe('MemoryLocker', () => {
  it('grants a free lock at once and again after unlock', async () => {
    const locker = new MemoryLocker()
    const a = locker.newLock('x')
    await a.lock(never(), () => {})
    await a.unlock()
    const b = locker.newLock('x')
    await b.lock(never(), () => {})
    await b.unlock()
  })

  it('locks per id', async () => {
    const locker = new MemoryLocker()
    await locker.newLock('x').lock(never(), () => {})
    await locker.newLock('y').lock(never(), () => {})
  })

  it('asks the holder to release, then hands over', async () => {
    const locker = new MemoryLocker()
    const holder = locker.newLock('x')
    const release = vi.fn(() => {
      setTimeout(() => void holder.unlock(), 5)
    })
    await holder.lock(never(), release)
    const order: string[] = []
    const second = locker.newLock('x')
    await second.lock(never(), () => {}).then(() => order.push('second'))
    expect(release).toHaveBeenCalledTimes(1)
    expect(order).toEqual(['second'])
    await second.unlock()
  })

  it('rejects with ERR_LOCK_TIMEOUT when the signal aborts first, and stays usable', async () => {
    const locker = new MemoryLocker()
    const holder = locker.newLock('x')
    await holder.lock(never(), () => {}) // ignores release requests
    const err = await locker
      .newLock('x')
      .lock(AbortSignal.timeout(20), () => {})
      .catch((e: unknown) => e)
    expect(isUploadError(err) && err.code).toBe('ERR_LOCK_TIMEOUT')
    await holder.unlock()
    const next = locker.newLock('x')
    await next.lock(AbortSignal.timeout(20), () => {})
    await next.unlock()
  })

  it('serves waiters in order and asks each new holder to release while others wait', async () => {
    const locker = new MemoryLocker()
    const first = locker.newLock('x')
    await first.lock(never(), () => {})
    const got: string[] = []
    const b = locker.newLock('x')
    const c = locker.newLock('x')
    const bRelease = vi.fn()
    const pb = b.lock(never(), bRelease).then(() => got.push('b'))
    const pc = c.lock(never(), () => {}).then(() => got.push('c'))
    await first.unlock()
    await pb
    expect(bRelease).toHaveBeenCalled() // c is waiting, so b is asked to hurry
    await b.unlock()
    await pc
    expect(got).toEqual(['b', 'c'])
    await c.unlock()
  })

  it('never grants two holders at once', async () => {
    const locker = new MemoryLocker()
    let inside = 0
    let max = 0
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        const lock = locker.newLock('x')
        await lock.lock(never(), () => {})
        inside++
        max = Math.max(max, inside)
        await new Promise((r) => setTimeout(r, 1))
        inside--
        await lock.unlock()
      }),
    )
    expect(max).toBe(1)
  })
})
