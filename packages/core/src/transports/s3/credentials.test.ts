import { describe, expect, it } from 'vitest'
import type { Clock } from '../../platform.js'
import { createCredentialCache } from './credentials.js'

function fakeClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start
  return {
    now: () => now,
    setTimeout: () => 0,
    clearTimeout: () => {},
    advance(ms) {
      now += ms
    },
  }
}

describe('credential cache', () => {
  it('calls the provider once for concurrent callers and again only near expiry', async () => {
    const clock = fakeClock()
    let calls = 0
    const cache = createCredentialCache(async () => {
      calls++
      return { accessKeyId: `k${calls}`, secretAccessKey: 's', expiration: clock.now() + 3000 }
    }, clock)
    const got = await Promise.all(Array.from({ length: 20 }, () => cache.get()))
    expect(calls).toBe(1)
    expect(new Set(got.map((c) => c.accessKeyId))).toEqual(new Set(['k1']))
    clock.advance(2000) // before 80 % of the lifetime
    await cache.get()
    expect(calls).toBe(1)
    clock.advance(500) // past 2.4 s
    await Promise.all([cache.get(), cache.get()])
    expect(calls).toBe(2)
  })
  it('invalidate() with stale credentials does not refresh twice', async () => {
    const clock = fakeClock()
    let calls = 0
    const cache = createCredentialCache(async () => {
      calls++
      return { accessKeyId: `k${calls}`, secretAccessKey: 's' }
    }, clock)
    const first = await cache.get()
    cache.invalidate(first)
    cache.invalidate(first)
    const second = await cache.get()
    cache.invalidate(first) // a late 403 from a request signed with the old ones
    expect(await cache.get()).toBe(second)
    expect(calls).toBe(2)
  })
  it('a failing provider is retryable and does not poison the cache', async () => {
    let fail = true
    const cache = createCredentialCache(async () => {
      if (fail) throw new Error('sts down')
      return { accessKeyId: 'k', secretAccessKey: 's' }
    }, fakeClock())
    await expect(cache.get()).rejects.toMatchObject({ code: 'ERR_AUTH_EXPIRED', retryable: true })
    fail = false
    await expect(cache.get()).resolves.toMatchObject({ accessKeyId: 'k' })
  })
})
