import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { parseChallenge } from '@shuttle/protocol'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MiB, makeTempDir, removeDir, type TestFile, writeRandomFile } from '../../core/test/helpers/files.js'
import { type RecordingProxy, startRecordingProxy } from '../../core/test/helpers/recording-proxy.js'
import { type CliServer, spawnCli } from '../../server/test/helpers/cli.js'
import { identityHeader, proofFor } from '../../server/test/helpers/identity.js'
import {
  adminClient,
  createTestBucket,
  dropTestBucket,
  objectSha256,
  s3Env,
} from '../../server/test/helpers/s3-env.js'
import { assertBuilt, type JsonLine, killAll, runCli } from './helpers.js'
import { idOf, s3Flags, tus } from './s3-instances.js'

// Instant upload on `shuttle serve --store s3`: the same `shuttle upload` run again (new state
// directory) finishes with nothing sent, the new upload being a copy made inside the bucket; a
// client that declares the identity but does not hold the challenged bytes gets nothing; deleting
// the first upload leaves the second whole.

const SIZE = 48 * MiB + 12_345
let client: S3Client
let bucket: string
let work: string
let file: TestFile
let server: CliServer
let proxy: RecordingProxy

beforeAll(async () => {
  assertBuilt()
  client = adminClient()
  bucket = await createTestBucket(client, 'instant')
  work = await makeTempDir('s3-instant')
  file = await writeRandomFile(work, 'video.bin', SIZE)
  server = await spawnCli(path.join(work, 'unused'), [
    '--store',
    's3',
    '--s3-bucket',
    bucket,
    ...s3Flags(s3Env()),
    '--s3-part-size',
    '5MiB',
    '--instant-upload',
    'global',
  ])
  proxy = await startRecordingProxy(server.endpoint)
})
afterAll(async () => {
  killAll()
  await proxy?.close()
  await server?.stop()
  if (bucket) await dropTestBucket(client, bucket)
  await removeDir(work)
})

async function upload(stateDir: string) {
  const before = proxy.log.length
  const started = performance.now()
  const run = runCli([
    'upload',
    file.path,
    '--endpoint',
    proxy.endpoint,
    '--json',
    '--state-dir',
    path.join(work, stateDir),
  ])
  const code = await run.exit
  const ms = performance.now() - started
  const sent = proxy.log.slice(before).reduce((n, r) => n + r.bytes, 0)
  const line = JSON.parse(run.stdout().trim().split('\n').pop() ?? 'null') as JsonLine | null
  return { run, code, line, sent, ms }
}

async function keysOf(id: string): Promise<string[]> {
  const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `tus/${id}` }))
  return (out.Contents ?? []).map((o) => o.Key ?? '').sort()
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

describe('instant upload with shuttle serve --store s3', () => {
  it('the second upload is already on the server; a forged proof gets nothing; the copy outlives the first', async () => {
    const options = await fetch(server.endpoint, { method: 'OPTIONS', headers: tus })
    expect(options.headers.get('tus-extension')).toContain('instant-upload')

    const first = await upload('state-1')
    expect(first.code, first.run.stderr()).toBe(0)
    // Verified: every request carried a checksum the S3 store checked, and the finishing one was
    // answered with the server's Repr-Digest of the stored bytes, equal to the file's own.
    expect(first.line).toMatchObject({ instant: false, verified: true, sha256: file.sha256 })
    expect(first.sent).toBe(SIZE)
    expect(await objectSha256(client, bucket, `tus/${idOf(first.line!.url)}`)).toBe(file.sha256)

    const second = await upload('state-2')
    expect(second.code, second.run.stderr()).toBe(0)
    expect(second.run.stderr()).toContain('video.bin (already on the server)')
    // The server's Repr-Digest of the copy (from a HEAD), equal to the file's own: verified.
    expect(second.line).toMatchObject({ instant: true, verified: true, sha256: file.sha256 })
    expect(second.line?.identity).toMatch(/^[0-9a-f]{64}$/)
    // Nothing at all: the file is larger than a creation body (4 MiB) and the proof has no body.
    expect(second.sent).toBe(0)
    const [a, b] = [idOf(first.line!.url), idOf(second.line!.url)]
    expect(b).not.toBe(a)
    // Its own object in the bucket, whole, and no multipart upload left open.
    expect(await objectSha256(client, bucket, `tus/${b}`)).toBe(file.sha256)
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'tus/' }))
    expect(open.Uploads ?? []).toEqual([])

    // A client that knows the identity, and every byte but the challenged ranges, gets nothing.
    const bytes = await readFile(file.path)
    const post = await fetch(server.endpoint, {
      method: 'POST',
      headers: { ...tus, 'Upload-Length': String(SIZE), 'Upload-Identity': identityHeader(bytes) },
    })
    expect(post.status).toBe(201)
    const url = post.headers.get('location')!
    const challenge = post.headers.get('upload-challenge')
    expect(challenge).not.toBeNull()
    const forged = Buffer.from(bytes)
    for (const r of parseChallenge(challenge!, SIZE)!.ranges) forged[r.end] = forged[r.end]! ^ 0x01
    const refused = await fetch(url, {
      method: 'PATCH',
      headers: {
        ...tus,
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': '0',
        'Upload-Proof': proofFor(challenge!, forged),
      },
    })
    expect(refused.status).toBe(403)
    expect(await refused.text()).toMatch(/does not match/)
    const head = await fetch(url, { method: 'HEAD', headers: tus })
    expect(head.headers.get('upload-offset')).toBe('0')
    expect(await keysOf(idOf(url))).toEqual([`tus/${idOf(url)}.info`])

    // Deleting the first upload leaves the second downloadable, byte for byte.
    expect((await fetch(first.line!.url, { method: 'DELETE', headers: tus })).status).toBe(204)
    expect(await keysOf(a)).toEqual([])
    const got = await fetch(second.line!.url)
    expect(got.status).toBe(200)
    expect(sha256(new Uint8Array(await got.arrayBuffer()))).toBe(file.sha256)
    expect(await objectSha256(client, bucket, `tus/${b}`)).toBe(file.sha256)
    console.info(
      `s3 instant upload of ${SIZE} B: first ${Math.round(first.ms)} ms, second ${Math.round(second.ms)} ms with ${second.sent} B sent`,
    )
  })
})
