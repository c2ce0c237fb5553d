// A checksummed chunk is written straight into the upload's file, behind a `<id>.pending` marker:
// SIGKILL `shuttle serve` while such a chunk streams in (its bytes already on disk, unverified),
// restart it on the same directory, and HEAD must not count a byte of that chunk; the next PATCH
// drops them and the upload ends byte-identical.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useCliServers } from './helpers/cli-servers.js'
import { downloadSha256, streamingRequest } from './helpers/http.js'
import { MiB, Pattern } from './helpers/pattern.js'
import { createUpload, offsetOf, PATCH_HEADERS } from './helpers/tus-client.js'

const SIZE = 32 * MiB
const CHUNK = 16 * MiB

const { dir: under, serve } = useCliServers('shuttle-crash-checksum-')

const checksum = (pattern: Pattern, start: number, end: number) =>
  `sha256 ${createHash('sha256').update(pattern.slice(start, end)).digest('base64')}`

function patch(
  url: string,
  pattern: Pattern,
  start: number,
  end: number,
  header: string,
  onSent?: (n: number) => void,
) {
  return streamingRequest({
    method: 'PATCH',
    url,
    headers: {
      ...PATCH_HEADERS,
      'Upload-Offset': String(start),
      'Content-Length': String(end - start),
      'Upload-Checksum': header,
    },
    body: pattern.chunks(start, end, MiB),
    ...(onSent ? { onSent } : {}),
  })
}

describe('a checksummed chunk across a server SIGKILL', () => {
  it('its unverified bytes on disk never count; the next PATCH drops them; the upload ends byte-identical', async () => {
    const dir = under('store')
    const pattern = new Pattern(42, SIZE)
    let server = await serve(dir)
    const { id } = await createUpload(server.endpoint, { length: SIZE })
    const dataFile = path.join(dir, id)
    const first = await patch(`${server.endpoint}${id}`, pattern, 0, CHUNK, checksum(pattern, 0, CHUNK))
      .result
    expect(first.response?.status).toBe(204)

    // The second chunk: killed once 10 of its 16 MiB went out and some of them are on disk.
    let killed = false
    const cut = patch(
      `${server.endpoint}${id}`,
      pattern,
      CHUNK,
      SIZE,
      checksum(pattern, CHUNK, SIZE),
      (sent) => {
        if (!killed && sent >= 10 * MiB) {
          killed = true
          server.child.kill('SIGKILL') // this child only
        }
      },
    )
    await cut.result
    expect((await server.exited).signal).toBe('SIGKILL')
    const onDisk = (await stat(dataFile)).size
    // The test means something: unverified bytes of the cut chunk are in the upload's file.
    expect(onDisk).toBeGreaterThan(CHUNK)
    expect(existsSync(`${dataFile}.pending`)).toBe(true)

    server = await serve(dir)
    const url = `${server.endpoint}${id}`
    expect(await offsetOf(url)).toBe(CHUNK)
    // A damaged chunk is refused and leaves the offset where it was.
    const damaged = await patch(url, pattern, CHUNK, SIZE, checksum(pattern, 0, CHUNK)).result
    expect(damaged.response?.status).toBe(460)
    expect(await offsetOf(url)).toBe(CHUNK)
    expect((await stat(dataFile)).size).toBe(CHUNK)
    const rest = await patch(url, pattern, CHUNK, SIZE, checksum(pattern, CHUNK, SIZE)).result
    expect(rest.response?.status).toBe(204)
    expect(rest.response!.headers['upload-offset']).toBe(String(SIZE))
    expect(existsSync(`${dataFile}.pending`)).toBe(false)
    const got = await downloadSha256(url)
    expect(got.sha256).toBe(pattern.sha256())
    await server.stop('SIGTERM')
  })
})
