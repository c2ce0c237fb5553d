import { mkdir, readdir } from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { parseMetadata } from '@shuttle/protocol'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MiB, makeTempDir, removeDir, type TestFile, writeRandomFile } from '../../core/test/helpers/files.js'
import { type RecordingProxy, startRecordingProxy } from '../../core/test/helpers/recording-proxy.js'
import { startServer, type TestServer } from '../../core/test/helpers/servers.js'
import { assertBuilt, killAll, parseJsonLines, runCli, waitFor } from './helpers.js'

let server: TestServer
let proxy: RecordingProxy
let work: string

beforeAll(async () => {
  assertBuilt()
  server = await startServer('shuttle')
  proxy = await startRecordingProxy(server.endpoint)
  work = await makeTempDir('cli-upload')
})
afterEach(killAll)
afterAll(async () => {
  await proxy?.close()
  await server?.close()
  await removeDir(work)
})

describe('shuttle upload', () => {
  it('uploads a directory of 20 files; --json lines parse and every sha256 matches', async () => {
    const src = path.join(work, 'batch')
    const sizes = [
      50 * MiB,
      20 * MiB,
      12 * MiB,
      8 * MiB,
      7 * MiB,
      5 * MiB,
      4 * MiB + 1,
      3 * MiB,
      2 * MiB + 5,
      2 * MiB,
      MiB,
      MiB - 1,
      512 * 1024,
      333_333,
      100 * 1024,
      65_536,
      10 * 1024,
      1024,
      1,
      0,
    ]
    const files: TestFile[] = []
    for (const [i, size] of sizes.entries()) {
      const sub = path.join(src, i % 3 === 0 ? 'a/b' : i % 3 === 1 ? 'c' : '')
      await mkdir(sub, { recursive: true })
      files.push(await writeRandomFile(sub, `f${String(i).padStart(2, '0')}.bin`, size))
    }
    const run = runCli([
      'upload',
      src,
      '--endpoint',
      proxy.endpoint,
      '--json',
      '--state-dir',
      path.join(work, 'state1'),
      '--parallel',
      '4',
      '--chunk-size',
      '8MiB',
      '--meta',
      'project=demo',
    ])
    expect(await run.exit, run.stderr()).toBe(0)
    const lines = parseJsonLines(run.stdout())
    expect(lines).toHaveLength(20)
    for (const f of files) {
      const line = lines.find((l) => l.path === f.path)
      expect(line, `no JSON line for ${f.path}`).toBeDefined()
      expect(line!.sha256).toBe(f.sha256)
      expect(line!.size).toBe(f.size)
      expect(await server.storedSha256(line!.url)).toBe(f.sha256)
    }
    // Relative paths and --meta travel as Upload-Metadata.
    const nested = lines.find((l) => l.relativePath === 'a/b/f00.bin')!
    const head = await fetch(nested.url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })
    const meta = parseMetadata(head.headers.get('upload-metadata') ?? '')
    expect(meta).toMatchObject({ relativePath: 'a/b/f00.bin', filename: 'f00.bin', project: 'demo' })
  })

  it('pauses on Ctrl-C and the same command resumes, re-sending at most one chunk per file in flight', async () => {
    const src = path.join(work, 'interrupt')
    await mkdir(src)
    const files: TestFile[] = []
    for (let i = 0; i < 6; i++) files.push(await writeRandomFile(src, `big-${i}.bin`, 16 * MiB))
    const total = files.reduce((n, f) => n + f.size, 0)
    const chunk = 4 * MiB
    const parallel = 3
    const args = [
      'upload',
      src,
      '--endpoint',
      proxy.endpoint,
      '--json',
      '--state-dir',
      path.join(work, 'state2'),
      '--parallel',
      String(parallel),
      '--chunk-size',
      '4MiB',
    ]
    const patchBytes = () => proxy.byMethod().PATCH?.bytes ?? 0
    const before = patchBytes()
    proxy.setRate(6 * MiB)
    const first = runCli(args)
    const end = Date.now() + 60_000
    while (patchBytes() - before < total / 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
    expect(patchBytes() - before).toBeGreaterThanOrEqual(total / 2)
    first.child.kill('SIGINT')
    expect(await first.exit, first.stderr()).toBe(130)
    expect(first.stderr()).toMatch(/Run the same command again to resume/)
    const sentFirst = patchBytes() - before
    const checkpointsAfterFirst = await readdir(path.join(work, 'state2', 'checkpoints')).catch((e) => [
      String(e),
    ])
    expect(sentFirst).toBeLessThan(total)

    proxy.setRate(null)
    const second = runCli(args)
    expect(await second.exit, second.stderr()).toBe(0)
    const lines = [...parseJsonLines(first.stdout()), ...parseJsonLines(second.stdout())]
    for (const f of files) {
      const line = lines.find((l) => l.path === f.path)
      expect(line, `no JSON line for ${f.path}`).toBeDefined()
      expect(await server.storedSha256(line!.url)).toBe(f.sha256)
    }
    const sent = patchBytes() - before
    // Where the bytes went, per upload, for a readable failure.
    const perUpload = lines
      .filter((l) => files.some((f) => f.path === l.path))
      .map((l) => {
        const reqs = proxy.requestsFor(l.url).filter((r) => r.method === 'PATCH')
        return `${l.relativePath}: ${reqs.map((r) => `${r.offset}+${r.bytes}${r.status === 204 ? '' : `(${r.status ?? 'cut'})`}`).join(' ')}`
      })
      .join('\n')
    const creations = proxy.log
      .filter((r) => r.method === 'POST')
      .map((r) => `${r.filename} → ${r.uploadPath} (${r.status})`)
      .join('\n')
    expect(
      sent,
      `${perUpload}\n--- creations\n${creations}\n--- checkpoints after run 1: ${checkpointsAfterFirst.join(', ')}\n--- first run\n${first.stderr()}\n--- second run\n${second.stderr()}`,
    ).toBeLessThanOrEqual(total + parallel * chunk)
    // A third identical run after success starts a new batch (nothing is skipped silently).
  })

  it('reports an unreachable endpoint, a 413 and a missing file with exit code 1', async () => {
    const src = path.join(work, 'errors')
    await mkdir(src)
    const small = await writeRandomFile(src, 'small.bin', 1024)
    // A port that was just free: nothing listens there.
    const probe = http.createServer()
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r))
    const port = (probe.address() as { port: number }).port
    await new Promise<void>((r) => probe.close(() => r()))
    const unreachable = runCli([
      'upload',
      small.path,
      '--endpoint',
      `http://127.0.0.1:${port}/files/`,
      '--retries',
      '1',
    ])
    expect(await unreachable.exit).toBe(1)
    expect(unreachable.stderr()).toMatch(
      /cannot reach http:\/\/127\.0\.0\.1:\d+\/files\/ \(connection refused/,
    )
    // Retried once (--retries 1, backoff 0 s) before giving up.
    expect(unreachable.stderr()).toMatch(/retry 1 of 1 in 0\.0s/)
    expect(unreachable.stderr()).toMatch(/gave up after 2 tries/)

    const limited = runCli([
      'serve',
      '--port',
      '0',
      '--dir',
      path.join(work, 'limited'),
      '--max-size',
      '1MiB',
    ])
    const [, endpoint] = await waitFor(limited.stdout, /tus endpoint (\S+)/)
    const big = await writeRandomFile(src, 'big.bin', 2 * MiB)
    const tooBig = runCli([
      'upload',
      big.path,
      small.path,
      '--endpoint',
      endpoint!,
      '--state-dir',
      path.join(work, 's3'),
    ])
    expect(await tooBig.exit).toBe(1)
    expect(tooBig.stderr()).toMatch(/big\.bin: the server answered 413/)
    expect(tooBig.stderr()).toMatch(/Uploaded 1 of 2/)

    const missing = runCli([
      'upload',
      path.join(src, 'nope.bin'),
      small.path,
      '--endpoint',
      endpoint!,
      '--state-dir',
      path.join(work, 's4'),
    ])
    expect(await missing.exit).toBe(1)
    expect(missing.stderr()).toMatch(/nope\.bin: no such file or directory/)
    limited.child.kill('SIGTERM')
    await limited.exit

    const usage = runCli(['upload', small.path])
    expect(await usage.exit).toBe(2)
    expect(usage.stderr()).toMatch(/--endpoint URL is required/)
  })
})
