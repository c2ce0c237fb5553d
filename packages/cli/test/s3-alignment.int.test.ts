import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { S3Client } from '@aws-sdk/client-s3'
import { createUploader } from '@shuttle/core'
import { waitUntil } from '@shuttle/server/conformance'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type CliServer, spawnCli } from '../../server/test/helpers/cli.js'
import {
  adminClient,
  createTestBucket,
  dropTestBucket,
  objectSha256,
  s3Env,
} from '../../server/test/helpers/s3-env.js'
import { type S3LoggedRequest, type S3Proxy, startS3Proxy } from '../../server/test/helpers/s3-proxy.js'
import { assertBuilt } from './helpers.js'
import { rawPatch } from './raw-patch.js'

// The client's chunks end on multiples of chunkSize after its creation-with-upload POST, so
// `shuttle serve --store s3` (parts of 8 MiB) stores each chunk as one part: no tail object is
// written, read back and deleted per chunk. Counted at the wire by a proxy in front of Ceph RGW.
const MiB = 1024 * 1024
const P = 8 * MiB
const SIZE = 4 * P + 3 * MiB // POST 4 MiB, then 5 PATCHes when aligned
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

let client: S3Client
let bucket: string
let dir: string
let proxy: S3Proxy
let server: CliServer | undefined

beforeAll(async () => {
  assertBuilt()
  client = adminClient()
  bucket = await createTestBucket(client, 'align')
  dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-align-'))
  proxy = await startS3Proxy(s3Env().endpoint)
})
afterEach(async () => {
  await server?.stop('SIGKILL')
  server = undefined
})
afterAll(async () => {
  await proxy.close()
  await dropTestBucket(client, bucket)
  await rm(dir, { recursive: true, force: true })
})

async function serve(): Promise<CliServer> {
  const env = s3Env()
  server = await spawnCli(dir, [
    ...['--store', 's3', '--s3-bucket', bucket, '--s3-endpoint', proxy.endpoint],
    ...['--s3-access-key', env.accessKeyId, '--s3-secret-key', env.secretAccessKey],
    // A file that declares its identity is created empty (a challenge may answer it): its chunks
    // start at 0 and align anyway. Off, so the creation-with-upload path stays the one measured.
    ...['--instant-upload', 'off'],
  ])
  return server
}

/** What reached S3 for one upload since `from` (an index in the proxy's log). */
function count(from: number, id: string) {
  const mine = proxy.log.slice(from).filter((r) => r.path.includes(`/tus/${id}`))
  const tails = (method: string) =>
    mine.filter((r) => r.method === method && r.path.includes('.tail.')).length
  return {
    requests: mine.length,
    parts: mine.filter((r: S3LoggedRequest) => r.method === 'PUT' && r.partNumber !== null).length,
    tailPuts: tails('PUT'),
    tailGets: tails('GET'),
    tailDeletes: tails('DELETE'),
  }
}

describe('client alignment against shuttle serve --store s3', () => {
  it('after a creation-with-upload, every chunk ends on a part boundary: one tail in all, against one per chunk when chunks do not align', async () => {
    const s = await serve()
    const bytes = randomBytes(SIZE)
    const file = path.join(dir, 'aligned.bin')
    await writeFile(file, bytes)

    // Our client, 8 MiB chunks: POST [0, 4 MiB), PATCH [4, 8), [8, 16), … [32, 35) MiB.
    let from = proxy.log.length
    const up = createUploader({ endpoint: s.endpoint, chunkSize: P, retryDelays: [] })
    let uploadId = ''
    try {
      const [id] = up.add([file]) as [string]
      await waitUntil(() => up.getFile(id)?.status === 'completed', 60_000, 'the upload completes')
      uploadId = new URL(up.getFile(id)?.url ?? '').pathname.split('/').pop() ?? ''
    } finally {
      await up.destroy()
    }
    const aligned = count(from, uploadId)
    expect(await objectSha256(client, bucket, `tus/${uploadId}`)).toBe(sha(bytes))

    // The same bytes in 8 MiB chunks that do not align (what the client sent before): PATCH [4, 12), [12, 20), …
    from = proxy.log.length
    const created = await fetch(s.endpoint, {
      method: 'POST',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Length': String(SIZE),
        'Content-Type': 'application/offset+octet-stream',
      },
      body: bytes.subarray(0, 4 * MiB),
    })
    expect(created.status).toBe(201)
    const url = created.headers.get('location') as string
    const rawId = new URL(url).pathname.split('/').pop() ?? ''
    let patches = 0
    for (let at = 4 * MiB; at < SIZE; at += P) {
      const end = Math.min(SIZE, at + P)
      expect(await rawPatch(url, at, bytes.subarray(at, end))).toEqual({ status: 204, offset: end })
      patches++
    }
    const unaligned = count(from, rawId)
    expect(await objectSha256(client, bucket, `tus/${rawId}`)).toBe(sha(bytes))

    // Aligned: the one tail is the POST's 4 MiB, read back and deleted once by the next PATCH.
    expect(aligned).toMatchObject({ parts: 5, tailPuts: 1, tailGets: 1, tailDeletes: 1 })
    // Unaligned: every PATCH but the last leaves a tail that the next one reads and deletes.
    expect(unaligned).toMatchObject({ parts: 5, tailPuts: patches, tailGets: patches, tailDeletes: patches })
    expect(aligned.requests).toBeLessThan(unaligned.requests)
    console.log(
      `[s3-alignment] ${SIZE / MiB} MiB in 8 MiB chunks: aligned ${aligned.requests} S3 requests over 5 PATCHes (${JSON.stringify(aligned)}); unaligned ${unaligned.requests} over ${patches} (${JSON.stringify(unaligned)})`,
    )
  })
})
