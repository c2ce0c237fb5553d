// Crash consistency: SIGKILL the real `shuttle serve` process in the middle of a 100 MiB PATCH,
// restart it on the same directory, and the upload resumes from exactly what reached the disk.
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { CliServer } from './helpers/cli.js'
import { useCliServers } from './helpers/cli-servers.js'
import { downloadSha256, streamingRequest } from './helpers/http.js'
import { fileSha256, MiB, Pattern } from './helpers/pattern.js'
import { createUpload, offsetOf, PATCH_HEADERS } from './helpers/tus-client.js'

const SIZE = 100 * MiB
// Reproduce a run with SHUTTLE_CRASH_SEED=<seed printed below>.
const SEED = Number(process.env.SHUTTLE_CRASH_SEED ?? Date.now() % 1_000_000)

/** Small deterministic PRNG for the kill points, so a failing seed can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
}

const { dir: under, serve } = useCliServers('shuttle-crash-')

/** Streams pattern bytes [from, SIZE) and SIGKILLs the server once `killAt` bytes were sent. */
async function patchUntilKilled(
  server: CliServer,
  url: string,
  pattern: Pattern,
  from: number,
  killAt: number,
) {
  let killed = false
  const patch = streamingRequest({
    method: 'PATCH',
    url,
    headers: { ...PATCH_HEADERS, 'Upload-Offset': String(from), 'Content-Length': String(SIZE - from) },
    body: pattern.chunks(from, SIZE, MiB),
    onSent: (sent) => {
      if (!killed && from + sent >= killAt) {
        killed = true
        server.child.kill('SIGKILL') // this child only
      }
    },
  })
  const result = await patch.result
  const exit = await server.exited
  expect(killed, `the PATCH ended before the kill point: ${result.response?.status}`).toBe(true)
  expect(exit.signal).toBe('SIGKILL')
  return { sentUpTo: from + patch.sent }
}

describe('crash consistency of shuttle serve', () => {
  it('SIGKILL twice during a 100 MiB PATCH: after each restart HEAD = bytes on disk, resume ends byte-identical', async () => {
    const random = rng(SEED)
    const dir = under('store')
    const pattern = new Pattern(SEED, SIZE)
    const expectedSha = pattern.sha256()
    const killPoints = [0.2 + random() * 0.3, 0.55 + random() * 0.25].map((f) => Math.floor(SIZE * f))
    console.log(
      `crash test seed ${SEED}: kill after ${killPoints.map((k) => `${(k / MiB).toFixed(1)} MiB`).join(', ')}`,
    )

    let server = await serve(dir)
    const { url: firstUrl, id } = await createUpload(server.endpoint, { length: SIZE })
    expect(new URL(firstUrl).pathname).toBe(`/files/${id}`)
    let offset = 0
    for (const killAt of killPoints) {
      const { sentUpTo } = await patchUntilKilled(server, `${server.endpoint}${id}`, pattern, offset, killAt)
      server = await serve(dir) // same directory, new port
      const url = `${server.endpoint}${id}`
      const head = await offsetOf(url)
      const onDisk = (await stat(path.join(dir, id))).size
      console.log(`killed after sending ${sentUpTo} bytes; after restart HEAD ${head}, on disk ${onDisk}`)
      expect(head).toBe(onDisk)
      expect(head).toBeLessThanOrEqual(sentUpTo)
      expect(head).toBeGreaterThanOrEqual(offset)
      // What reached the disk is exactly the prefix that was sent.
      expect((await fileSha256(path.join(dir, id))).sha256).toBe(pattern.sha256(0, head))
      offset = head
    }

    const url = `${server.endpoint}${id}`
    const rest = streamingRequest({
      method: 'PATCH',
      url,
      headers: { ...PATCH_HEADERS, 'Upload-Offset': String(offset), 'Content-Length': String(SIZE - offset) },
      body: pattern.chunks(offset, SIZE, MiB),
    })
    const result = await rest.result
    expect(result.response?.status, result.response?.body ?? result.error?.message).toBe(204)
    expect(result.response!.headers['upload-offset']).toBe(String(SIZE))
    const got = await downloadSha256(url)
    expect(got.status).toBe(200)
    expect(got.size).toBe(SIZE)
    expect(got.sha256).toBe(expectedSha)

    await server.stop('SIGTERM')
    expect((await server.exited).code).toBe(0)
  })

  it('SIGTERM during a stalled PATCH: the server exits cleanly and soon, keeps what reached the disk, the upload resumes', async () => {
    const dir = under('store-term')
    const pattern = new Pattern(SEED ^ 0x5eed, SIZE)
    const server = await serve(dir)
    const { id } = await createUpload(server.endpoint, { length: SIZE })
    const url = `${server.endpoint}${id}`
    let signalled = false
    const patch = streamingRequest({
      method: 'PATCH',
      url,
      headers: { ...PATCH_HEADERS, 'Upload-Offset': '0', 'Content-Length': String(SIZE) },
      body: pattern.chunks(0, SIZE, 256 * 1024),
      delayMs: 1,
      onSent: (sent) => {
        if (!signalled && sent >= SIZE * 0.3) {
          signalled = true
          server.child.kill('SIGTERM') // this child only
          patch.pause() // a slow client that never finishes: shutdown must not wait for it forever
        }
      },
    })
    const started = Date.now()
    const exit = await server.exited
    const result = await patch.result
    console.log(
      `SIGTERM after ${patch.sent} bytes: exit ${exit.code ?? exit.signal} in ${Date.now() - started} ms; ` +
        `PATCH ${result.response ? result.response.status : result.error?.message}`,
    )
    expect(exit.code, server.output()).toBe(0)
    expect(Date.now() - started, 'shutdown time with a stalled client').toBeLessThan(10_000)
    expect(result.response?.status).not.toBe(204)

    const again = await serve(dir)
    const url2 = `${again.endpoint}${id}`
    const head = await offsetOf(url2)
    expect(head).toBe((await stat(path.join(dir, id))).size)
    expect(head).toBeLessThanOrEqual(patch.sent)
    expect((await fileSha256(path.join(dir, id))).sha256).toBe(pattern.sha256(0, head))
    const rest = streamingRequest({
      method: 'PATCH',
      url: url2,
      headers: { ...PATCH_HEADERS, 'Upload-Offset': String(head), 'Content-Length': String(SIZE - head) },
      body: pattern.chunks(head, SIZE, MiB),
    })
    const restResult = await rest.result
    expect(restResult.response?.status, restResult.response?.body ?? restResult.error?.message).toBe(204)
    const got = await downloadSha256(url2)
    expect(got.sha256).toBe(pattern.sha256())
    await again.stop('SIGINT')
    expect((await again.exited).code).toBe(0)
  })
})
