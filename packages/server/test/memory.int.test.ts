// Opt-in (SHUTTLE_MEMORY_TEST=1): a 1 GiB PATCH to the real `shuttle serve` process keeps its
// resident memory under 100 MB. Skipped otherwise — a skipped run proves nothing.
import { createHash, randomBytes } from 'node:crypto'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type CliServer, readRss, spawnCli } from './helpers/cli.js'
import { streamingRequest } from './helpers/http.js'
import { fileSha256, MiB } from './helpers/pattern.js'
import { makeTempDir, removeTempDir } from './helpers/server.js'
import { createUpload, offsetOf, PATCH_HEADERS } from './helpers/tus-client.js'

const ENABLED = process.env.SHUTTLE_MEMORY_TEST === '1'
const SIZE = 1024 * MiB
const LIMIT = 100 * 1000 * 1000

let root: string | undefined
let server: CliServer | undefined

afterAll(async () => {
  if (server?.alive()) await server.stop('SIGKILL')
  await removeTempDir(root)
})

describe('memory of shuttle serve', () => {
  it.skipIf(!ENABLED)(
    'a 1 GiB PATCH keeps the server process under 100 MB RSS',
    async () => {
      root = await makeTempDir('shuttle-memory-')
      const dir = path.join(root, 'store')
      server = await spawnCli(dir)
      const pid = server.pid
      const idle = await readRss(pid)
      const { url, id } = await createUpload(server.endpoint, { length: SIZE })

      const piece = randomBytes(MiB)
      const expected = createHash('sha256')
      function* body() {
        for (let i = 0; i < SIZE / MiB; i++) {
          expected.update(piece)
          yield piece
        }
      }
      let peak = 0
      const samples: number[] = []
      const poll = setInterval(() => {
        readRss(pid).then(
          ({ rss }) => {
            samples.push(rss)
            peak = Math.max(peak, rss)
          },
          () => {},
        )
      }, 50)
      const started = Date.now()
      const patch = streamingRequest({
        method: 'PATCH',
        url,
        headers: { ...PATCH_HEADERS, 'Upload-Offset': '0', 'Content-Length': String(SIZE) },
        body: body(),
      })
      const result = await patch.result
      clearInterval(poll)
      const { hwm, rss } = await readRss(pid)
      peak = Math.max(peak, hwm)
      const seconds = (Date.now() - started) / 1000
      console.log(
        `memory: 1 GiB PATCH in ${seconds.toFixed(1)} s; server peak RSS (VmHWM) ${(hwm / 1e6).toFixed(1)} MB, ` +
          `max sampled VmRSS ${(Math.max(...samples) / 1e6).toFixed(1)} MB over ${samples.length} samples, ` +
          `RSS at end ${(rss / 1e6).toFixed(1)} MB, idle before the upload ${(idle.rss / 1e6).toFixed(1)} MB`,
      )
      expect(result.response?.status, result.response?.body ?? result.error?.message).toBe(204)
      expect(result.response!.headers['upload-offset']).toBe(String(SIZE))
      expect(peak).toBeLessThan(LIMIT)

      expect(await offsetOf(url)).toBe(SIZE)
      const stored = await fileSha256(path.join(dir, id))
      expect(stored.size).toBe(SIZE)
      expect(stored.sha256).toBe(expected.digest('hex'))
    },
    300_000,
  )
})
