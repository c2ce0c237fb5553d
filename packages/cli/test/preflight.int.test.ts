import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MiB, makeTempDir, removeDir, writeRandomFile } from '../../core/test/helpers/files.js'
import { startServer, type TestServer } from '../../core/test/helpers/servers.js'
import { type DelayProxy, startDelayProxy } from './delay-proxy.js'
import { assertBuilt, killAll, runCli } from './helpers.js'

let server: TestServer
let work: string
let proxy: DelayProxy | undefined

beforeAll(async () => {
  assertBuilt()
  server = await startServer('shuttle')
  work = await makeTempDir('cli-preflight')
})
afterEach(async () => {
  killAll()
  await proxy?.close()
  proxy = undefined
})
afterAll(async () => {
  await server?.close()
  await removeDir(work)
})

describe('shuttle upload: the first request to the endpoint', () => {
  it('a first OPTIONS answered only after 10 s: the CLI says what it waits for, retries, and every file arrives', async () => {
    const src = path.join(work, 'slow')
    await mkdir(src)
    const files = [
      await writeRandomFile(src, 'one.bin', 3 * MiB),
      await writeRandomFile(src, 'two.bin', 5 * MiB),
    ]
    proxy = await startDelayProxy(server.endpoint, (method, i) =>
      method === 'OPTIONS' && i === 0 ? 10_000 : 0,
    )
    const run = runCli([
      'upload',
      src,
      '--endpoint',
      proxy.endpoint,
      '--json',
      '--state-dir',
      path.join(work, 'state'),
    ])
    expect(await run.exit).toBe(0)
    expect(run.stderr()).toMatch(/waiting for http:\/\/127\.0\.0\.1:\d+\/files\/? to answer \(OPTIONS/)
    expect(run.stderr()).toMatch(/Uploaded 2 of 2 file\(s\)/)
    const lines = run
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; sha256: string; url: string })
    for (const f of files) {
      const line = lines.find((l) => l.name === path.basename(f.path))
      expect(line?.sha256).toBe(f.sha256)
      expect(
        await server.storedSha256(
          line!.url.replace(proxy.endpoint.replace(/\/files\/?$/, ''), server.origin),
        ),
      ).toBe(f.sha256)
    }
    expect(proxy.seen[0]).toBe('OPTIONS')
  })

  it('an endpoint that never answers is retried with the upload backoff, then reported', async () => {
    proxy = await startDelayProxy(server.endpoint, (method) => (method === 'OPTIONS' ? 60_000 : 0))
    const small = await writeRandomFile(work, 'small.bin', 1024)
    const started = Date.now()
    const run = runCli([
      'upload',
      small.path,
      '--endpoint',
      proxy.endpoint,
      '--retries',
      '1',
      '--state-dir',
      path.join(work, 's2'),
    ])
    expect(await run.exit).toBe(1)
    const took = Date.now() - started
    expect(run.stderr()).toMatch(/no answer within 10 s\); retry 1 of 1 in 0\.0s/)
    expect(run.stderr()).toMatch(/cannot reach http:\S+ \(no answer within 10 s\); gave up after 2 tries/)
    expect(proxy.seen.filter((m) => m === 'OPTIONS')).toHaveLength(2)
    expect(took).toBeGreaterThanOrEqual(20_000)
  }, 60_000)
})
