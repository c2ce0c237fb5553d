import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type CliServer, spawnCli } from '../../server/test/helpers/cli.js'
import { assertBuilt, runCli } from './helpers.js'
import { rawPatch as patch } from './raw-patch.js'

// Two `shuttle serve` processes on one --dir, as a team first tries to scale out.
const SIZE = 4 * 1024 * 1024
const servers: CliServer[] = []
let dir: string

beforeAll(assertBuilt)
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()))
  if (dir) await rm(dir, { recursive: true, force: true })
})

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const tus = { 'Tus-Resumable': '1.0.0' }

async function head(url: string): Promise<number> {
  const res = await fetch(url, { method: 'HEAD', headers: tus, signal: AbortSignal.timeout(20_000) })
  expect(res.status).toBe(200)
  return Number(res.headers.get('upload-offset'))
}

describe('two shuttle serve on one --dir', () => {
  it('two clients PATCH one upload through different instances: never interleaved; the loser gets 409/423 and resumes (10 rounds)', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-shared-'))
    servers.push(await spawnCli(dir), await spawnCli(dir))
    const [a, b] = servers as [CliServer, CliServer]
    const statuses = new Set<number>()
    for (let round = 0; round < 10; round++) {
      const created = await fetch(a.endpoint, {
        method: 'POST',
        headers: { ...tus, 'Upload-Length': String(SIZE) },
      })
      expect(created.status).toBe(201)
      const id = new URL(created.headers.get('location') ?? '').pathname.split('/').pop() ?? ''
      const via = [`${a.endpoint}${id}`, `${b.endpoint}${id}`]
      const bodies = [randomBytes(SIZE), randomBytes(SIZE)]
      const results = await Promise.all(via.map((url, k) => patch(url, 0, bodies[k] as Buffer)))
      for (const r of results) statuses.add(r.status)
      for (const r of results) expect([204, 409, 423], JSON.stringify(results)).toContain(r.status)
      expect(results.filter((r) => r.status === 204).length, JSON.stringify(results)).toBeLessThanOrEqual(1)

      // What is stored is a prefix of exactly one client's bytes (hash check against both).
      const stored = await readFile(path.join(dir, id))
      const owner = bodies.findIndex((body) => sha(body.subarray(0, stored.length)) === sha(stored))
      expect(owner, `round ${round}: stored bytes match neither client alone`).toBeGreaterThanOrEqual(0)

      // The other client resumes from the offset the server reports, through its own instance.
      const other = 1 - owner
      let offset = await head(via[other] as string)
      expect(offset).toBe(stored.length)
      if (offset < SIZE) {
        const done = await patch(via[other] as string, offset, (bodies[other] as Buffer).subarray(offset))
        expect(done).toEqual({ status: 204, offset: SIZE })
        offset = SIZE
      }
      const expected = Buffer.concat([stored, (bodies[other] as Buffer).subarray(stored.length)])
      const got = Buffer.from(
        await (await fetch(via[owner] as string, { signal: AbortSignal.timeout(20_000) })).arrayBuffer(),
      )
      expect(sha(got)).toBe(sha(expected))
    }
    // Both kinds of losing showed up or at least one did: the instances really contended.
    expect([...statuses].some((s) => s === 409 || s === 423)).toBe(true)
  })

  it('refuses to start where lock files cannot be created, saying why', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-nolock-'))
    await mkdir(path.join(dir, 'up'))
    await writeFile(path.join(dir, 'up', '.locks'), 'not a folder')
    const r = runCli(['serve', '--host', '127.0.0.1', '--port', '0', '--dir', path.join(dir, 'up')])
    expect(await r.exit).not.toBe(0)
    expect(r.stderr()).toMatch(/Cannot create lock files in .*\.locks/)
  })
})
