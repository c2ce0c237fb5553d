import type { RedisLike } from './redis-like.js'

// Each step of a lease is one Lua script, so Redis runs its check and its change as one.
// Keys of one upload share a hash tag ({id}), so they land on one slot of a Redis Cluster too.

/** The keys and the channel of one upload's lock. */
export interface LockKeys {
  /** `<prefix>{id}`: the holder's token (`<instance>:<fence>`), with the lease's expiry. */
  lock: string
  /** `<prefix>{id}:fence`: a counter incremented by every acquisition. */
  fence: string
  /** `<prefix>{id}:events`: `r:<token>` asks that holder to release, `u:<token>` says it did. */
  channel: string
}

export function lockKeys(prefix: string, id: string): LockKeys {
  const base = `${prefix}{${id}}`
  return { lock: base, fence: `${base}:fence`, channel: `${base}:events` }
}

// KEYS: lock, fence. ARGV: instance, ttl ms, fence ttl ms.
// Free: {1, fence} after INCR fence and SET lock <instance>:<fence> PX ttl. Busy: {0, holder, pttl}.
const ACQUIRE = `
local holder = redis.call('GET', KEYS[1])
if holder then return {0, holder, redis.call('PTTL', KEYS[1])} end
local fence = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. fence, 'PX', ARGV[2])
return {1, fence}`

// KEYS: lock. ARGV: token, ttl ms. 1 when the lock is still ours (and extended), else 0.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`

// KEYS: lock. ARGV: token, channel. Deletes the lock only if it is ours, then tells the waiters.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], 'u:' .. ARGV[1])
  return 1
end
return 0`

export type Acquired = { acquired: true; fence: number } | { acquired: false; holder: string; pttl: number }

export async function acquire(
  redis: RedisLike,
  keys: LockKeys,
  instance: string,
  ttl: number,
  fenceTtl: number,
): Promise<Acquired> {
  const reply = await redis.command([
    'EVAL',
    ACQUIRE,
    '2',
    keys.lock,
    keys.fence,
    instance,
    String(ttl),
    String(fenceTtl),
  ])
  if (!Array.isArray(reply)) throw new Error(`Unexpected reply to the lock script: ${String(reply)}`)
  if (Number(reply[0]) === 1) return { acquired: true, fence: Number(reply[1]) }
  return { acquired: false, holder: String(reply[1]), pttl: Number(reply[2]) }
}

/** True when the lock is still `token`'s and now expires `ttl` ms from now. */
export async function renew(redis: RedisLike, keys: LockKeys, token: string, ttl: number): Promise<boolean> {
  return Number(await redis.command(['EVAL', RENEW, '1', keys.lock, token, String(ttl)])) === 1
}

/** True when the lock was `token`'s and is now free; never deletes another holder's lock. */
export async function release(redis: RedisLike, keys: LockKeys, token: string): Promise<boolean> {
  return Number(await redis.command(['EVAL', RELEASE, '1', keys.lock, token, keys.channel])) === 1
}

/** Asks the holder whose token is `holder` to release. */
export async function requestRelease(redis: RedisLike, keys: LockKeys, holder: string): Promise<void> {
  await redis.command(['PUBLISH', keys.channel, `r:${holder}`])
}
