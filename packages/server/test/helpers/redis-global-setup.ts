import type { TestProject } from 'vitest/node'
import { type RedisService, startRedis } from '../../../../test/services/redis.js'
import { type Lease, useService } from '../../../../test/services/shared.js'
import type { RedisTestEnv } from './redis-env.js'

// Vitest globalSetup of the projects whose tests need Redis (read it with redisUrl()): the Redis
// named by REDIS_URL, or one redis-server for the whole run on a free 127.0.0.1 port, nothing
// persisted, stopped by PID afterwards and also when the run is interrupted.

const HOW_TO = `These tests need a real Redis (no mock).
  \`npm test\` installs redis-server itself when run as root on Debian; otherwise install it once:
    sudo apt-get install -y redis-server
  and the tests start their own on a free port; or set REDIS_URL=redis://host:port to use yours.`

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  if (process.env.REDIS_URL) {
    project.provide('redis', { url: process.env.REDIS_URL } satisfies RedisTestEnv)
    return undefined
  }
  let redis: Lease<RedisService>
  try {
    redis = await useService('redis', () => startRedis())
  } catch (err) {
    throw new Error(`Starting redis-server failed: ${(err as Error).message}\n${HOW_TO}`)
  }
  project.provide('redis', { url: redis.value.url } satisfies RedisTestEnv)
  return redis.release
}
