import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { redisUrl } from './helpers/redis-env.js'

// The plumbing the multi-instance tests stand on: the run's globalSetup started a real
// redis-server (or was given REDIS_URL) and handed its address to this file.
describe('Redis provided to the integration tests', () => {
  const redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 })
  afterAll(() => redis.quit())

  it('answers PING, and GET returns what SET stored', async () => {
    await redis.connect()
    expect(await redis.ping()).toBe('PONG')
    const key = `shuttle:smoke:${randomBytes(6).toString('hex')}`
    const value = randomBytes(32).toString('base64')
    expect(await redis.set(key, value, 'PX', 60_000)).toBe('OK')
    expect(await redis.get(key)).toBe(value)
    expect(await redis.del(key)).toBe(1)
    expect(await redis.get(key)).toBeNull()
  })

  it('is a redis-server that persists nothing when the run started it', async () => {
    const info = await redis.info('server')
    expect(info).toMatch(/^redis_version:\d+\.\d+/m)
    if (process.env.REDIS_URL) return
    expect(await redis.config('GET', 'save')).toEqual(['save', ''])
    expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'no'])
    expect(new URL(redisUrl()).hostname).toBe('127.0.0.1')
  })
})
