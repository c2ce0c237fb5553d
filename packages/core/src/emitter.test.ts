import { describe, expect, it } from 'vitest'
import { createEmitter } from './emitter.js'

describe('emitter', () => {
  it('on() returns off(); payloads are delivered in subscription order', () => {
    const e = createEmitter<{ ping: { n: number } }>()
    const seen: string[] = []
    const off = e.on('ping', ({ n }) => seen.push(`a${n}`))
    e.on('ping', ({ n }) => seen.push(`b${n}`))
    e.emit('ping', { n: 1 })
    off()
    off() // idempotent
    e.emit('ping', { n: 2 })
    expect(seen).toEqual(['a1', 'b1', 'b2'])
  })

  it('the same function subscribed twice is called twice and unsubscribed once per off()', () => {
    const e = createEmitter<{ ping: object }>()
    let calls = 0
    const fn = () => calls++
    const off1 = e.on('ping', fn)
    e.on('ping', fn)
    off1()
    e.emit('ping', {})
    expect(calls).toBe(1)
  })

  it('a throwing listener does not stop the others and is reported', () => {
    const errors: unknown[] = []
    const e = createEmitter<{ ping: object }>((err) => errors.push(err))
    let reached = false
    e.on('ping', () => {
      throw new Error('boom')
    })
    e.on('ping', () => {
      reached = true
    })
    e.emit('ping', {})
    expect(reached).toBe(true)
    expect(errors).toHaveLength(1)
  })
})
