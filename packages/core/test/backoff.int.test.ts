import { createFileCheckpointStore } from '@shuttle/core'
import { beforeEach, describe, expect, it } from 'vitest'
import { recordingHttpClient, statusOf, type Uploader, waitForCompletion } from './helpers/engine.js'
import { createFaultGate } from './helpers/fault.js'
import { MiB, sleep, waitUntil } from './helpers/files.js'
import { rawRequest, withOrigin } from './helpers/servers.js'
import { useSourceFile } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// A file waiting out a long backoff ('retrying') is paused, canceled or added twice. The backoff
// timer must not fire a request afterwards, and the file must not wait the timer out.
const SIZE = 4 * MiB
const CHUNK = 1 * MiB
const LONG = 3_000

const file = useSourceFile('backoff-src', 'backoff.bin', SIZE)

describe('operations during a retry backoff', () => {
  const fault = createFaultGate()
  beforeEach(() => {
    fault.failPatchesWith = null
  })

  const stack = useStack('shuttle', { wrap: fault.wrap, bytesPerSecond: 4 * MiB, checkpoints: 'backoff-ck' })

  async function intoBackoff(): Promise<{ u: Uploader; id: string; sends: () => number }> {
    const http = recordingHttpClient()
    const u = stack.uploader({
      endpoint: stack.proxy.endpoint,
      chunkSize: CHUNK,
      retryDelays: [LONG, LONG],
      httpClient: http.client,
      checkpointStore: createFileCheckpointStore(stack.checkpointDir),
    })
    const [id] = u.add(file.path) as [string]
    await waitUntil(() => (u.getFile(id)?.bytesConfirmed ?? 0) >= CHUNK, 20_000, 'a confirmed chunk')
    fault.failPatchesWith = 503
    await waitUntil(() => statusOf(u, id) === 'retrying', 10_000, "the file to be 'retrying'")
    fault.failPatchesWith = null
    return { u, id, sends: () => http.sends.length }
  }

  it('pause during the backoff: no request when the timer would fire; resume goes at once', async () => {
    const { server, proxy } = stack
    const { u, id, sends } = await intoBackoff()
    u.pause(id)
    expect(statusOf(u, id)).toBe('paused')
    const before = sends()
    await sleep(LONG + 500)
    expect(sends()).toBe(before)
    expect(statusOf(u, id)).toBe('paused')
    const resumedAt = Date.now()
    u.resume(id)
    await waitForCompletion(u, [id], 20_000)
    // Resume does not wait out the old backoff.
    const firstAfter = proxy.log.find((e) => e.start >= resumedAt)
    expect(firstAfter!.start - resumedAt).toBeLessThan(LONG / 2)
    expect(await server.storedSha256(u.getFile(id)!.url!)).toBe(file.sha256)
  })

  it('cancel during the backoff resolves promptly, deletes the upload, and the timer stays silent', async () => {
    const { server } = stack
    const { u, id, sends } = await intoBackoff()
    const url = u.getFile(id)!.url!
    const t0 = Date.now()
    await u.cancel(id)
    expect(Date.now() - t0).toBeLessThan(LONG / 2)
    expect(statusOf(u, id)).toBe('canceled')
    expect([404, 410]).toContain((await rawRequest('HEAD', withOrigin(url, server.origin))).status)
    const before = sends()
    await sleep(LONG + 500)
    expect(sends()).toBe(before)
  })

  it('retry() during the backoff is refused or starts at once, never twice', async () => {
    const { server, proxy } = stack
    const { u, id } = await intoBackoff()
    try {
      u.retry(id)
    } catch (err) {
      expect((err as { code?: string }).code).toBe('ERR_INVALID_TRANSITION')
    }
    await waitForCompletion(u, [id], 20_000)
    const url = u.getFile(id)!.url!
    // Never two PATCHes for the same offset accepted: the bytes on disk are the file. The creation
    // POST carried the first chunk (creation-with-upload), so it counts too.
    const accepted = proxy
      .requestsFor(url)
      .filter((e) => (e.method === 'PATCH' && e.status === 204) || (e.method === 'POST' && e.status === 201))
    expect(accepted.reduce((n, e) => n + e.bytes, 0)).toBe(SIZE)
    expect(await server.storedSha256(url)).toBe(file.sha256)
  })
})
