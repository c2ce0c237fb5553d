import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MiB, makeTempDir, removeDir, type TestFile, waitUntil, writeRandomFile } from './helpers/files.js'
import { type RecordingProxy, startRecordingProxy } from './helpers/recording-proxy.js'
import { rawRequest, type ServerKind, startServer, type TestServer, withOrigin } from './helpers/servers.js'

// A child process uploads one 64 MiB file with the built engine and a file checkpoint store; it
// is SIGKILLed past 40 % and started again with the same store. It must resume, not restart.
const SIZE = 64 * MiB
const CHUNK = 4 * MiB
const RATE = 16 * MiB
const DIST = fileURLToPath(new URL('../dist/node/index.js', import.meta.url))
const CHILD = fileURLToPath(new URL('./fixtures/upload-child.mjs', import.meta.url))

interface ChildRun {
  readonly proc: ChildProcess
  readonly events: Array<{ event: string; url?: string; error?: string }>
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const running = new Set<ChildProcess>()

function runChild(args: readonly string[]): ChildRun {
  const proc = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(proc)
  const events: ChildRun['events'] = []
  let buffered = ''
  proc.stdout?.on('data', (d: Buffer) => {
    buffered += d.toString('utf8')
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line))
  })
  let stderr = ''
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8')
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => {
      running.delete(proc)
      if (code !== 0 && signal !== 'SIGKILL') events.push({ event: 'stderr', error: stderr.slice(0, 2000) })
      resolve({ code, signal })
    })
  })
  return { proc, events, exited }
}

let srcDir: string | undefined
let file: TestFile

beforeAll(async () => {
  srcDir = await makeTempDir('crash-src')
  file = await writeRandomFile(srcDir, 'big.bin', SIZE)
})

afterAll(async () => {
  await removeDir(srcDir)
})

describe.each(['shuttle', 'tus-node'] as const)('process crash mid-upload against %s', (kind: ServerKind) => {
  let server: TestServer | undefined
  let proxy: RecordingProxy | undefined
  let ckDir: string | undefined

  afterEach(async () => {
    for (const proc of running) if (proc.pid !== undefined) proc.kill('SIGKILL')
    await proxy?.close()
    await server?.close()
    await removeDir(ckDir)
  })

  it('a restarted process resumes from the server offset with the same upload', async () => {
    expect(existsSync(DIST), `built engine missing at ${DIST}: run npx tsc -b`).toBe(true)
    server = await startServer(kind)
    proxy = await startRecordingProxy(server.endpoint, { bytesPerSecond: RATE })
    ckDir = await makeTempDir('crash-checkpoints')
    const args = [proxy.endpoint, file.path, ckDir, String(CHUNK)]
    const p = proxy

    const first = runChild(args)
    await waitUntil(
      () => first.events.some((e) => e.event === 'upload-created'),
      15_000,
      'the child to create',
    )
    const url = first.events.find((e) => e.event === 'upload-created')!.url!
    await waitUntil(() => p.bytesFor(url) >= 0.4 * SIZE, 30_000, 'the server to receive 40 %')
    first.proc.kill('SIGKILL')
    const end1 = await first.exited
    expect(end1.signal).toBe('SIGKILL')
    const killedAt = Date.now()
    await new Promise((r) => setTimeout(r, 300)) // let the server settle the aborted PATCH

    const head = await rawRequest('HEAD', withOrigin(url, server.origin))
    expect(head.status).toBe(200)
    const offsetAfterKill = Number(head.headers['upload-offset'])
    expect(offsetAfterKill).toBeGreaterThan(0)
    expect(offsetAfterKill).toBeLessThan(SIZE)

    const second = runChild(args)
    const end2 = await Promise.race([
      second.exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('second run timed out')), 60_000)),
    ])
    expect(end2, JSON.stringify(second.events.filter((e) => e.event !== 'progress'))).toEqual({
      code: 0,
      signal: null,
    })
    expect(second.events.find((e) => e.event === 'completed')?.url).toBe(url)
    expect(
      second.events.filter((e) => e.event === 'upload-created' || e.event === 'upload-restarted'),
    ).toEqual([])

    // One creation across both runs; run 2 starts at the server's offset, never at zero.
    expect(p.log.filter((e) => e.method === 'POST')).toHaveLength(1)
    const firstPatch2 = p.requestsFor(url).find((e) => e.method === 'PATCH' && e.start >= killedAt)
    expect(firstPatch2?.offset).toBe(offsetAfterKill)
    expect(p.bytesFor(url)).toBeGreaterThanOrEqual(SIZE)
    expect(p.bytesFor(url)).toBeLessThanOrEqual(SIZE + CHUNK)
    expect(await server.storedSha256(url)).toBe(file.sha256)
  })
})

describe('process crash mid-upload with parallel parts (shuttle, concatenation)', () => {
  let server: TestServer | undefined
  let proxy: RecordingProxy | undefined
  let ckDir: string | undefined

  afterEach(async () => {
    for (const proc of running) if (proc.pid !== undefined) proc.kill('SIGKILL')
    await proxy?.close()
    await server?.close()
    await removeDir(ckDir)
  })

  it('the restarted process resumes every part and joins them once', async () => {
    expect(existsSync(DIST), `built engine missing at ${DIST}: run npx tsc -b`).toBe(true)
    const PARTS = 3
    server = await startServer('shuttle')
    proxy = await startRecordingProxy(server.endpoint, { bytesPerSecond: RATE / 2 })
    ckDir = await makeTempDir('crash-parts-checkpoints')
    const args = [proxy.endpoint, file.path, ckDir, String(CHUNK), String(PARTS)]
    const p = proxy
    const patchBytes = () => p.log.filter((e) => e.method === 'PATCH').reduce((n, e) => n + e.bytes, 0)

    const first = runChild(args)
    await waitUntil(() => patchBytes() >= 0.4 * SIZE, 30_000, 'the server to receive 40 %')
    first.proc.kill('SIGKILL')
    expect((await first.exited).signal).toBe('SIGKILL')
    await new Promise((r) => setTimeout(r, 300))
    const partials = p.log.filter((e) => e.method === 'POST')
    expect(partials.map((e) => e.concat)).toEqual(Array(PARTS).fill('partial'))

    const second = runChild(args)
    const end2 = await Promise.race([
      second.exited,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('second run timed out')), 60_000)),
    ])
    expect(end2, JSON.stringify(second.events.filter((e) => e.event !== 'progress'))).toEqual({
      code: 0,
      signal: null,
    })
    const url = second.events.find((e) => e.event === 'completed')?.url
    if (!url) throw new Error('no completed event')
    expect(second.events.filter((e) => e.event === 'upload-restarted')).toEqual([])
    // The parts were created once, in the first run; the second run only added the final upload.
    const posts = p.log.filter((e) => e.method === 'POST')
    expect(posts).toHaveLength(PARTS + 1)
    expect(posts[PARTS]!.concat).toMatch(/^final;/)
    expect(patchBytes()).toBeLessThanOrEqual(SIZE + PARTS * CHUNK)
    expect(await server.storedSha256(url)).toBe(file.sha256)
  })
})
