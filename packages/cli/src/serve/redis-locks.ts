import { UploadError } from '@shuttle/protocol'
import type { RedisLocker } from '@shuttle/redis-locker'
import type { LockEvent } from '@shuttle/server'

export interface RedisLocks {
  locker: RedisLocker
  close(): Promise<void>
}

/**
 * Connects to the Redis of `--redis` and checks it answers, so a wrong URL or a stopped Redis
 * stops the server at startup with a sentence instead of failing the first upload. Later outages
 * are logged once each (locks answer 503 meanwhile; ioredis reconnects by itself).
 */
export async function connectRedisLocks(
  url: string,
  log: (line: string) => void,
  onEvent?: (event: LockEvent) => void,
): Promise<RedisLocks> {
  // Loaded only with --redis.
  const [{ Redis }, { RedisLocker, fromIoredis }] = await Promise.all([
    import('ioredis'),
    import('@shuttle/redis-locker'),
  ])
  const shown = redactPassword(url)
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 2 })
  let lastError: Error | undefined
  let up = false
  client.on('error', (err: Error) => {
    lastError = err
    if (up) log(`Redis at ${shown} is unreachable (${err.message}); uploads answer 503 until it is back`)
    up = false
  })
  client.on('ready', () => {
    if (lastError && !up) log(`Redis at ${shown} answers again`)
    up = true
  })
  const locker = new RedisLocker({ redis: fromIoredis(client), ...(onEvent ? { onEvent } : {}) })
  try {
    await client.connect()
    await locker.check()
  } catch (err) {
    client.disconnect()
    const why = lastError?.message ?? (err instanceof Error ? err.message : String(err))
    throw new UploadError(
      'ERR_INVALID_OPTIONS',
      `Cannot reach Redis at ${shown} (${why}). Start Redis there or correct --redis.`,
      { cause: err },
    )
  }
  up = true
  return {
    locker,
    close: async () => {
      await locker.close()
      await client.quit().catch(() => client.disconnect())
    },
  }
}

/** The URL to show in logs: its password, if any, replaced by ***. */
export function redactPassword(url: string): string {
  const u = new URL(url)
  if (u.password) u.password = '***'
  return u.toString()
}
