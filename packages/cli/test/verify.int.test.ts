import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type BitFlipProxy, startBitFlipProxy } from '../../core/test/helpers/bit-flip-proxy.js'
import { MiB, makeTempDir, removeDir, type TestFile, writeRandomFile } from '../../core/test/helpers/files.js'
import { startServer, type TestServer } from '../../core/test/helpers/servers.js'
import { assertBuilt, killAll, parseJsonLines, runCli } from './helpers.js'

// End-to-end verification through a proxy that flips one random bit in some request bodies: with
// verification (the default) every stored file is byte-identical and each damaged request was
// refused with 460 and sent again; with --no-verify the same damage is stored (the test can fail).

// Above and below creation-with-upload's 4 MiB: one streamed PATCH with a trailer, or the whole file
// in the creation POST with an Upload-Checksum header.
const SIZES = [
  9 * MiB + 7,
  6 * MiB,
  5 * MiB + 1,
  4 * MiB + 3,
  3 * MiB,
  2 * MiB + 11,
  MiB,
  700_000,
  200_001,
  65_536,
]

let server: TestServer
let work: string
let files: TestFile[]
let src: string
const proxies: BitFlipProxy[] = []

beforeAll(async () => {
  assertBuilt()
  server = await startServer('shuttle')
  work = await makeTempDir('cli-verify')
  src = path.join(work, 'ten')
  files = []
  for (const [i, size] of SIZES.entries()) {
    const dir = path.join(src, i % 2 === 0 ? 'even' : 'odd')
    await mkdir(dir, { recursive: true })
    files.push(await writeRandomFile(dir, `f${i}.bin`, size))
  }
})
afterEach(async () => {
  killAll()
  for (const p of proxies.splice(0)) await p.close()
})
afterAll(async () => {
  await server?.close()
  await removeDir(work)
})

async function upload(seed: number, extra: string[]) {
  const proxy = await startBitFlipProxy(server.endpoint, { every: 2, maxPerMethod: 3, seed })
  proxies.push(proxy)
  const run = runCli([
    'upload',
    src,
    '--endpoint',
    proxy.endpoint,
    '--json',
    '--state-dir',
    path.join(work, `state-${seed}`),
    '--parallel',
    '3',
    ...extra,
  ])
  const code = await run.exit
  return { proxy, run, code, lines: parseJsonLines(run.stdout()) }
}

describe('shuttle upload through a proxy that flips bits', () => {
  it('verifies by default: damaged requests are refused (460) and sent again; every stored file is byte-identical', async () => {
    const { proxy, run, code, lines } = await upload(7, [])
    expect(code, run.stderr()).toBe(0)
    expect(proxy.flipped.length).toBeGreaterThanOrEqual(3)
    // Both paths were hit: a streamed PATCH (trailer) and a creation POST (header).
    expect(new Set(proxy.flipped.map((f) => f.method))).toEqual(new Set(['PATCH', 'POST']))
    // Every damaged request was caught by the server, none stored.
    expect(proxy.flipped.map((f) => f.status)).toEqual(proxy.flipped.map(() => 460))
    expect(proxy.statuses.filter((s) => s === 460)).toHaveLength(proxy.flipped.length)
    const resent =
      /(\d+) request\(s\) arrived damaged, were refused by the server \(460\) and sent again/.exec(
        run.stderr(),
      )
    expect(Number(resent?.[1])).toBe(proxy.flipped.length)
    expect(lines).toHaveLength(files.length)
    for (const f of files) {
      const line = lines.find((l) => l.path === f.path)
      expect(line, f.path).toBeDefined()
      // The digest the server confirmed, equal to the file's.
      expect(line?.verified).toBe(true)
      expect(line?.sha256).toBe(f.sha256)
      expect(await server.storedSha256(line!.url)).toBe(f.sha256)
    }
  })

  it('--no-verify: the same damage is stored silently (the corruption is real)', async () => {
    const { proxy, run, code, lines } = await upload(7, ['--no-verify'])
    expect(code, run.stderr()).toBe(0)
    expect(proxy.flipped.length).toBeGreaterThanOrEqual(3)
    expect(proxy.statuses).not.toContain(460)
    let damaged = 0
    for (const f of files) {
      const line = lines.find((l) => l.path === f.path)!
      expect(line.verified).toBe(false)
      if ((await server.storedSha256(line.url)) !== f.sha256) damaged++
    }
    // A file over 4 MiB goes in two requests (creation POST, PATCH), so two flips may share one.
    expect(damaged).toBeLessThanOrEqual(proxy.flipped.length)
    expect(damaged).toBeGreaterThanOrEqual(3)
  })
})
