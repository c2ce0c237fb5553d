import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { createUploader } from '@shuttle/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliServer, spawnCli } from '../../server/test/helpers/cli.js'
import { waitForCompletion } from './helpers/engine.js'
import {
  identityOfFile,
  MiB,
  makeTempDir,
  removeDir,
  type TestFile,
  waitUntil,
  writeRandomFile,
} from './helpers/files.js'
import { type RecordingProxy, startRecordingProxy } from './helpers/recording-proxy.js'

// `shuttle serve` is SIGKILLed while a verified upload streams its one request (sha256 in a
// trailer that never comes), then started again over the same directory and port. The upload
// resumes from the bytes on disk; the new process knows no hash state, recomputes the SHA-256 from
// the stored bytes, and the Repr-Digest it answers must equal the file's.
const SIZE = 48 * MiB
const RATE = 16 * MiB

let work: string
let file: TestFile
let store: string
let servers: CliServer[] = []
let proxy: RecordingProxy | undefined

beforeAll(async () => {
  work = await makeTempDir('verify-crash')
  file = await writeRandomFile(work, 'big.bin', SIZE)
  store = path.join(work, 'store')
})
afterAll(async () => {
  await proxy?.close()
  for (const s of servers) await s.stop('SIGKILL')
  servers = []
  await removeDir(work)
})

describe('verification across a server SIGKILL', () => {
  it('resumes after the kill and the final identity (and Repr-Digest) matches the file', async () => {
    const first = await spawnCli(store)
    servers.push(first)
    proxy = await startRecordingProxy(first.endpoint, { bytesPerSecond: RATE })
    const u = createUploader({ endpoint: proxy.endpoint, retryDelays: [0, 200, 400, 800, 1600, 3200] })
    const verified: string[] = []
    const restarts: string[] = []
    u.on('completed', ({ identity }) => identity && verified.push(identity.digest))
    u.on('upload-restarted', ({ id }) => restarts.push(id))
    const [id] = u.add(file.path) as [string]
    // Past 40 % of the one streamed PATCH (its Trailer is announced), the server dies.
    await waitUntil(
      () => proxy!.log.some((e) => e.method === 'PATCH' && e.bytes >= 0.4 * SIZE),
      30_000,
      'the PATCH to carry 40 %',
    )
    const patch = proxy.log.find((e) => e.method === 'PATCH')!
    first.child.kill('SIGKILL')
    expect((await first.exited).signal).toBe('SIGKILL')
    const second = await spawnCli(store, ['--port', String(first.port)])
    servers.push(second)
    await waitForCompletion(u, [id], 60_000)
    await u.destroy()

    const expected = createHash('sha256')
      .update(await readFile(file.path))
      .digest('base64')
    expect(verified).toEqual([await identityOfFile(file.path)])
    expect(restarts).toEqual([])
    // One creation, and the resumed PATCH started where the disk ended, not at 0.
    expect(proxy.byMethod().POST?.count).toBe(1)
    const resumed = proxy.log.filter((e) => e.method === 'PATCH' && e !== patch)
    expect(resumed.length).toBeGreaterThanOrEqual(1)
    expect(resumed.at(-1)!.offset).toBeGreaterThan(0)
    const url = u.getFile(id)?.url ?? ''
    const head = await fetch(url.replace(proxy.endpoint, second.endpoint), {
      method: 'HEAD',
      headers: { 'Tus-Resumable': '1.0.0' },
    })
    expect(head.headers.get('repr-digest')).toBe(`sha-256=:${expected}:`)
    expect(file.sha256).toBe(Buffer.from(expected, 'base64').toString('hex'))
  })
})
