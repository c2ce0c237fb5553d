import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MiB, makeTempDir, removeDir, type TestFile, writeRandomFile } from '../../core/test/helpers/files.js'
import { type RecordingProxy, startRecordingProxy } from '../../core/test/helpers/recording-proxy.js'
import { startServer, type TestServer } from '../../core/test/helpers/servers.js'
import { assertBuilt, killAll, parseJsonLines, runCli } from './helpers.js'

// Running the same `shuttle upload` again (from another machine, or after its state was lost)
// finishes files the server already holds at once: each says "already on the server", nothing
// is sent, and the JSON line carries the digest the server confirmed. Files that fit whole in the
// creation request (≤ 4 MiB) go there as before: one request, no challenge round trip.

const LARGE = [12 * MiB + 5, 5 * MiB]
const SMALL = [MiB, 70_000]
const SIZES = [...LARGE, ...SMALL]

let server: TestServer
let proxy: RecordingProxy
let work: string
let src: string
let files: TestFile[]

beforeAll(async () => {
  assertBuilt()
  server = await startServer('shuttle')
  proxy = await startRecordingProxy(server.endpoint)
  work = await makeTempDir('cli-instant')
  src = path.join(work, 'src')
  await mkdir(src)
  files = []
  for (const [i, size] of SIZES.entries()) files.push(await writeRandomFile(src, `f${i}.bin`, size))
})
afterEach(() => killAll())
afterAll(async () => {
  await proxy?.close()
  await server?.close()
  await removeDir(work)
})

async function upload(stateDir: string) {
  const before = proxy.log.length
  const run = runCli([
    'upload',
    src,
    '--endpoint',
    proxy.endpoint,
    '--json',
    '--state-dir',
    path.join(work, stateDir),
  ])
  const code = await run.exit
  const requests = proxy.log.slice(before)
  return { run, code, lines: parseJsonLines(run.stdout()), sent: requests.reduce((n, r) => n + r.bytes, 0) }
}

describe('shuttle upload of files already on the server', () => {
  it('finishes them instantly, says so per file, and the JSON lines carry the confirmed digest', async () => {
    const first = await upload('state-1')
    expect(first.code, first.run.stderr()).toBe(0)
    expect(first.lines.every((l) => !l.instant && l.verified)).toBe(true)
    const total = SIZES.reduce((a, b) => a + b, 0)
    expect(first.sent).toBe(total)

    const second = await upload('state-2')
    expect(second.code, second.run.stderr()).toBe(0)
    // The small files were sent again, whole in their creation POSTs; the large ones not at all.
    const small = SMALL.reduce((a, b) => a + b, 0)
    expect(second.sent - small).toBeLessThan(MiB)
    expect(second.sent - small).toBeGreaterThanOrEqual(0)
    for (const f of files) {
      const large = LARGE.includes(f.size)
      const name = `f${files.indexOf(f)}.bin (already on the server)`
      if (large) expect(second.run.stderr()).toContain(name)
      else expect(second.run.stderr()).not.toContain(name)
      const line = second.lines.find((l) => l.path === f.path)
      expect(line, f.path).toMatchObject({ instant: large, verified: true, sha256: f.sha256 })
      if (large) expect(line?.identity).toMatch(/^[0-9a-f]{64}$/)
      expect(line?.url).not.toBe(first.lines.find((l) => l.path === f.path)?.url)
      expect(await server.storedSha256(line!.url)).toBe(f.sha256)
    }
    expect(second.run.stderr()).toMatch(/2 file\(s\) were already on the server/)
  })
})
