import { describe, expect, it } from 'vitest'
import { expectBuiltEngine, runChild } from './helpers/child.js'
import { MiB, waitUntil } from './helpers/files.js'
import { rawRequest, type ServerKind, withOrigin } from './helpers/servers.js'
import { useSourceFile } from './helpers/source-files.js'
import { startStack } from './helpers/stack.js'

// A child process uploads one 64 MiB file with the built engine and a file checkpoint store; it
// is SIGKILLed past 40 % and started again with the same store. It must resume, not restart.
const SIZE = 64 * MiB
const CHUNK = 4 * MiB
const RATE = 16 * MiB

const file = useSourceFile('crash-src', 'big.bin', SIZE)

describe.each(['shuttle', 'tus-node'] as const)('process crash mid-upload against %s', (kind: ServerKind) => {
  it('a restarted process resumes from the server offset with the same upload', async () => {
    expectBuiltEngine()
    const { server, proxy, checkpointDir } = await startStack(kind, {
      bytesPerSecond: RATE,
      checkpoints: 'crash-checkpoints',
    })
    const args = [proxy.endpoint, file.path, checkpointDir, String(CHUNK)]

    const first = runChild('upload-child.mjs', args)
    await waitUntil(
      () => first.events.some((e) => e.event === 'upload-created'),
      15_000,
      'the child to create',
    )
    const url = first.events.find((e) => e.event === 'upload-created')!.url!
    await waitUntil(() => proxy.bytesFor(url) >= 0.4 * SIZE, 30_000, 'the server to receive 40 %')
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

    const second = runChild('upload-child.mjs', args)
    const end2 = await second.exitedWithin(60_000, 'second run')
    expect(end2, JSON.stringify(second.events.filter((e) => e.event !== 'progress'))).toEqual({
      code: 0,
      signal: null,
    })
    expect(second.events.find((e) => e.event === 'completed')?.url).toBe(url)
    expect(
      second.events.filter((e) => e.event === 'upload-created' || e.event === 'upload-restarted'),
    ).toEqual([])

    // One creation across both runs; run 2 starts at the server's offset, never at zero.
    expect(proxy.log.filter((e) => e.method === 'POST')).toHaveLength(1)
    const firstPatch2 = proxy.requestsFor(url).find((e) => e.method === 'PATCH' && e.start >= killedAt)
    expect(firstPatch2?.offset).toBe(offsetAfterKill)
    expect(proxy.bytesFor(url)).toBeGreaterThanOrEqual(SIZE)
    expect(proxy.bytesFor(url)).toBeLessThanOrEqual(SIZE + CHUNK)
    expect(await server.storedSha256(url)).toBe(file.sha256)
  })
})

describe('process crash mid-upload with parallel parts (shuttle, concatenation)', () => {
  it('the restarted process resumes every part and joins them once', async () => {
    expectBuiltEngine()
    const PARTS = 3
    const { server, proxy, checkpointDir } = await startStack('shuttle', {
      bytesPerSecond: RATE / 2,
      checkpoints: 'crash-parts-checkpoints',
    })
    const args = [proxy.endpoint, file.path, checkpointDir, String(CHUNK), String(PARTS)]
    const patchBytes = () => proxy.log.filter((e) => e.method === 'PATCH').reduce((n, e) => n + e.bytes, 0)

    const first = runChild('upload-child.mjs', args)
    await waitUntil(() => patchBytes() >= 0.4 * SIZE, 30_000, 'the server to receive 40 %')
    first.proc.kill('SIGKILL')
    expect((await first.exited).signal).toBe('SIGKILL')
    await new Promise((r) => setTimeout(r, 300))
    const partials = proxy.log.filter((e) => e.method === 'POST')
    expect(partials.map((e) => e.concat)).toEqual(Array(PARTS).fill('partial'))

    const second = runChild('upload-child.mjs', args)
    const end2 = await second.exitedWithin(60_000, 'second run')
    expect(end2, JSON.stringify(second.events.filter((e) => e.event !== 'progress'))).toEqual({
      code: 0,
      signal: null,
    })
    const url = second.events.find((e) => e.event === 'completed')?.url
    if (!url) throw new Error('no completed event')
    expect(second.events.filter((e) => e.event === 'upload-restarted')).toEqual([])
    // The parts were created once, in the first run; the second run only added the final upload.
    const posts = proxy.log.filter((e) => e.method === 'POST')
    expect(posts).toHaveLength(PARTS + 1)
    expect(posts[PARTS]!.concat).toMatch(/^final;/)
    expect(patchBytes()).toBeLessThanOrEqual(SIZE + PARTS * CHUNK)
    expect(await server.storedSha256(url)).toBe(file.sha256)
  })
})
