import { describe, expect, it } from 'vitest'
import { PartBuffers } from './part-buffers.js'

describe('PartBuffers', () => {
  it('hands a given buffer out again for the same size, and keeps no more than its cap idle', () => {
    const pool = new PartBuffers(2048)
    const a = pool.take(1024)
    const b = pool.take(1024)
    const c = pool.take(1024)
    pool.give(a)
    pool.give(b)
    pool.give(c) // over the cap: dropped
    expect(pool.idleBytes).toBe(2048)
    expect([pool.take(1024), pool.take(1024)].sort()).toEqual([a, b].sort())
    expect(pool.take(1024)).not.toBe(c)
    expect(pool.take(512).length).toBe(512)
  })
})
