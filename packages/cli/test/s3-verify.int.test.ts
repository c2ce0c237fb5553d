import { createHash } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type BitFlipProxy, startBitFlipProxy } from '../../core/test/helpers/bit-flip-proxy.js'
import { MiB, makeTempDir, removeDir, type TestFile, writeRandomFile } from '../../core/test/helpers/files.js'
import { type CliServer, spawnCli } from '../../server/test/helpers/cli.js'
import {
  adminClient,
  createTestBucket,
  dropTestBucket,
  objectSha256,
  s3Env,
} from '../../server/test/helpers/s3-env.js'
import { assertBuilt, type JsonLine, killAll, parseJsonLines, runCli } from './helpers.js'
import { idOf, s3Flags } from './s3-instances.js'

// verify.int.test.ts against `shuttle serve --store s3` on Ceph RGW: a proxy flips one random bit in
// some request bodies. With verification (the default) every object in the bucket is
// byte-identical to its file and each damaged request was refused with 460 and sent again; with
// --no-verify the same damage is stored (the test can fail). 5 MiB parts, so the larger files'
// streamed PATCHes upload parts before their trailer can be checked: those parts must not count.
// Another instance then states each object's Repr-Digest (HEAD, GET) from the bucket alone.

// Above 4 MiB: a creation without body (the file declares its identity), then one streamed PATCH
// with a trailer, of up to four 5 MiB parts. Up to 4 MiB: the whole file in the creation POST with
// an Upload-Checksum header (a tail object, no part).
const SIZES = [
  17 * MiB + 7,
  12 * MiB,
  9 * MiB + 7,
  6 * MiB,
  5 * MiB + 1,
  4 * MiB + 3,
  2 * MiB + 11,
  MiB,
  200_001,
  65_536,
]

let client: S3Client
let bucket: string
let server: CliServer
let work: string
let files: TestFile[]
let src: string
const proxies: BitFlipProxy[] = []

beforeAll(async () => {
  assertBuilt()
  client = adminClient()
  bucket = await createTestBucket(client, 'verify')
  work = await makeTempDir('s3-verify')
  server = await spawnCli(path.join(work, 'unused'), [
    ...['--store', 's3', '--s3-bucket', bucket, ...s3Flags(s3Env())],
    ...['--s3-part-size', '5MiB'],
  ])
  src = path.join(work, 'ten')
  files = []
  for (const [i, size] of SIZES.entries()) {
    const dir = path.join(src, i % 2 === 0 ? 'even' : 'odd')
    await mkdir(dir, { recursive: true })
    files.push(await writeRandomFile(dir, `f${i}.bin`, size))
  }
})
afterEach(async () => {
  killAll()
  for (const p of proxies.splice(0)) await p.close()
})
afterAll(async () => {
  await server?.stop()
  if (bucket) await dropTestBucket(client, bucket)
  await removeDir(work)
})

async function upload(seed: number, extra: string[]) {
  const proxy = await startBitFlipProxy(server.endpoint, { every: 2, maxPerMethod: 3, seed })
  proxies.push(proxy)
  const run = runCli([
    'upload',
    src,
    '--endpoint',
    proxy.endpoint,
    '--json',
    '--state-dir',
    path.join(work, `state-${seed}`),
    '--parallel',
    '3',
    ...extra,
  ])
  const code = await run.exit
  return { proxy, run, code, lines: parseJsonLines(run.stdout()) }
}

const stored = (line: JsonLine) => objectSha256(client, bucket, `tus/${idOf(line.url)}`)

describe('shuttle upload to shuttle serve --store s3 through a proxy that flips bits', () => {
  it('verifies by default: damaged requests are refused (460) and sent again; every object in the bucket is byte-identical', async () => {
    const options = await fetch(server.endpoint, { method: 'OPTIONS', headers: { 'Tus-Resumable': '1.0.0' } })
    expect(options.headers.get('tus-extension')).toMatch(/\bchecksum\b.*\bchecksum-trailer\b/)

    const { proxy, run, code, lines } = await upload(7, [])
    expect(code, run.stderr()).toBe(0)
    expect(proxy.flipped.length).toBeGreaterThanOrEqual(3)
    // Both paths were hit: a streamed PATCH (trailer, parts sent before it) and a creation POST (header).
    expect(new Set(proxy.flipped.map((f) => f.method))).toEqual(new Set(['PATCH', 'POST']))
    expect(proxy.flipped.map((f) => f.status)).toEqual(proxy.flipped.map(() => 460))
    expect(proxy.statuses.filter((s) => s === 460)).toHaveLength(proxy.flipped.length)
    const resent =
      /(\d+) request\(s\) arrived damaged, were refused by the server \(460\) and sent again/.exec(
        run.stderr(),
      )
    expect(Number(resent?.[1])).toBe(proxy.flipped.length)
    expect(lines).toHaveLength(files.length)
    for (const f of files) {
      const line = lines.find((l) => l.path === f.path)
      expect(line, f.path).toBeDefined()
      // The digest the server confirmed (Repr-Digest of the object), equal to the file's.
      expect(line?.verified).toBe(true)
      expect(line?.sha256).toBe(f.sha256)
      expect(await stored(line!)).toBe(f.sha256)
    }
    // Every multipart upload was completed (refused parts went with it): none is left open.
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'tus/' }))
    expect(open.Uploads ?? []).toEqual([])
    // A second instance, which hashed nothing on the way in, states the same Repr-Digest on HEAD and
    // GET, computed from the objects in the bucket, and GET answers the file's bytes.
    const other = await spawnCli(path.join(work, 'unused-2'), [
      ...['--store', 's3', '--s3-bucket', bucket, ...s3Flags(s3Env())],
    ])
    try {
      for (const f of files) {
        const url = `${other.endpoint}${idOf(lines.find((l) => l.path === f.path)!.url)}`
        const digest = `sha-256=:${Buffer.from(f.sha256, 'hex').toString('base64')}:`
        const head = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })
        expect(head.headers.get('repr-digest'), f.path).toBe(digest)
        const get = await fetch(url)
        expect(get.headers.get('repr-digest'), f.path).toBe(digest)
        const body = Buffer.from(await get.arrayBuffer())
        expect(createHash('sha256').update(body).digest('hex'), f.path).toBe(f.sha256)
      }
    } finally {
      await other.stop()
    }
    console.log(
      `[s3-verify] ${proxy.flipped.length} damaged requests (${proxy.flipped.map((f) => `${f.method} byte ${f.at}`).join(', ')}), all 460 and sent again; ${files.length} objects byte-identical`,
    )
  })

  it('--no-verify: the same damage is stored silently (the corruption is real)', async () => {
    const { proxy, run, code, lines } = await upload(7, ['--no-verify'])
    expect(code, run.stderr()).toBe(0)
    expect(proxy.flipped.length).toBeGreaterThanOrEqual(3)
    expect(proxy.statuses).not.toContain(460)
    let damaged = 0
    for (const f of files) {
      const line = lines.find((l) => l.path === f.path)!
      expect(line.verified).toBe(false)
      if ((await stored(line)) !== f.sha256) damaged++
    }
    // A file over 4 MiB goes in two requests at most (creation, PATCH), so two flips may share one.
    expect(damaged).toBeLessThanOrEqual(proxy.flipped.length)
    expect(damaged).toBeGreaterThanOrEqual(3)
  })
})
