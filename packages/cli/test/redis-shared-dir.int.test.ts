import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { waitUntil } from '@shuttle/server/conformance'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../../test/services/free-port.js'
import { type CliServer, spawnCli } from '../../server/test/helpers/cli.js'
import { redisUrl } from '../../server/test/helpers/redis-env.js'
import { assertBuilt, runCli } from './helpers.js'
import { openPatch, rawPatch } from './raw-patch.js'

// Two `shuttle serve --redis` on one --dir (a shared mount, as several machines would have): the
// locks live in Redis, not in lock files.
const SIZE = 4 * 1024 * 1024
const servers: CliServer[] = []
let dir: string | undefined
const redis = new Redis(redisUrl(), { lazyConnect: true })

beforeAll(async () => {
  assertBuilt()
  await redis.connect()
})
afterAll(() => redis.quit())
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()))
  if (dir) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const tus = { 'Tus-Resumable': '1.0.0' }

async function twoInstances(): Promise<[CliServer, CliServer]> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-redis-dir-'))
  servers.push(await spawnCli(dir, ['--redis', redisUrl()]), await spawnCli(dir, ['--redis', redisUrl()]))
  return servers as [CliServer, CliServer]
}

async function create(endpoint: string, size: number): Promise<string> {
  const res = await fetch(endpoint, { method: 'POST', headers: { ...tus, 'Upload-Length': String(size) } })
  expect(res.status).toBe(201)
  return new URL(res.headers.get('location') ?? '').pathname.split('/').pop() ?? ''
}

async function head(url: string): Promise<number> {
  const res = await fetch(url, { method: 'HEAD', headers: tus, signal: AbortSignal.timeout(20_000) })
  expect(res.status).toBe(200)
  return Number(res.headers.get('upload-offset'))
}

describe('two shuttle serve --redis on one --dir', () => {
  it('two clients PATCH one upload through different instances: never interleaved, the loser resumes (5 rounds)', async () => {
    const [a, b] = await twoInstances()
    for (let round = 0; round < 5; round++) {
      const id = await create(a.endpoint, SIZE)
      const via = [`${a.endpoint}${id}`, `${b.endpoint}${id}`]
      const bodies = [randomBytes(SIZE), randomBytes(SIZE)]
      const results = await Promise.all(via.map((url, k) => rawPatch(url, 0, bodies[k] as Buffer)))
      for (const r of results) expect([204, 409, 423], JSON.stringify(results)).toContain(r.status)
      expect(results.filter((r) => r.status === 204).length, JSON.stringify(results)).toBeLessThanOrEqual(1)

      const stored = await readFile(path.join(dir as string, id))
      const owner = bodies.findIndex((body) => sha(body.subarray(0, stored.length)) === sha(stored))
      expect(owner, `round ${round}: stored bytes match neither client alone`).toBeGreaterThanOrEqual(0)
      const other = 1 - owner
      const offset = await head(via[other] as string)
      expect(offset).toBe(stored.length)
      if (offset < SIZE) {
        const done = await rawPatch(via[other] as string, offset, (bodies[other] as Buffer).subarray(offset))
        expect(done).toEqual({ status: 204, offset: SIZE })
      }
      const expected = Buffer.concat([stored, (bodies[other] as Buffer).subarray(stored.length)])
      expect(sha(await readFile(path.join(dir as string, id)))).toBe(sha(expected))
      // Every request took its lock in Redis (one fence per acquisition), none in lock files.
      expect(Number(await redis.get(`shuttle:lock:{${id}}:fence`))).toBeGreaterThanOrEqual(3)
    }
    expect(existsSync(path.join(dir as string, '.locks'))).toBe(false)
  })

  it('a HEAD through B while A streams: A stores what it has and releases, B answers in < 1 s', async () => {
    const [a, b] = await twoInstances()
    const id = await create(a.endpoint, SIZE)
    const file = path.join(dir as string, id)
    const body = randomBytes(SIZE)
    const slow = openPatch(`${a.endpoint}${id}`, 0, SIZE)
    slow.send(body.subarray(0, 1024 * 1024))
    // A stalled client: A holds the lock with 1 MiB on disk and waits for more.
    await waitUntil(async () => (await stat(file)).size === 1024 * 1024, 10_000, 'A stored the first MiB')
    const started = performance.now()
    const offset = await head(`${b.endpoint}${id}`)
    const took = performance.now() - started
    expect(offset).toBe(1024 * 1024)
    expect(took).toBeLessThan(1000)
    console.log(`[redis-shared-dir] HEAD through B answered in ${Math.round(took)} ms`)
    expect(await slow.answer).toBe(423)
    // The client resumes through B from the offset it was told.
    expect(await rawPatch(`${b.endpoint}${id}`, offset, body.subarray(offset))).toEqual({
      status: 204,
      offset: SIZE,
    })
    expect(sha(await readFile(file))).toBe(sha(body))
  })

  it('refuses to start when Redis does not answer, saying so', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-noredis-'))
    const port = await freePort() // nothing listens there
    const r = runCli(['serve', '--port', '0', '--dir', dir, '--redis', `redis://127.0.0.1:${port}`])
    expect(await r.exit).not.toBe(0)
    expect(r.stderr()).toContain(
      `Cannot reach Redis at redis://127.0.0.1:${port} (connect ECONNREFUSED 127.0.0.1:${port}). Start Redis there or correct --redis.`,
    )
    expect(r.stdout()).not.toMatch(/serving/)
  })
})
