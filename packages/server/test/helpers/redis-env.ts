import { inject } from 'vitest'

/** The Redis the 'integration' projects' globalSetup provides (redis-global-setup.ts). */
export interface RedisTestEnv {
  /** redis://127.0.0.1:PORT (or the REDIS_URL the run was given). */
  url: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    redis: RedisTestEnv
  }
}

/**
 * The Redis URL for this test file: a redis-server the run started on a free port, or REDIS_URL.
 * @example
 * const redis = new Redis(redisUrl()) // ioredis
 */
export function redisUrl(): string {
  const env = inject('redis')
  if (!env?.url) {
    throw new Error(
      'No Redis: run this file in a vitest project whose globalSetup lists test/helpers/redis-global-setup.ts',
    )
  }
  return env.url
}
