import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MiB, makeTempDir, removeDir, type TestFile, writeRandomFile } from '../../core/test/helpers/files.js'
import {
  adminClient,
  createTestBucket,
  dropTestBucket,
  objectSha256,
  s3Env,
} from '../../server/test/helpers/s3-env.js'
import { assertBuilt, killAll, runCli, waitFor } from './helpers.js'

// The CLI end to end on Ceph RGW: `serve --s3-bucket` signs parts, `upload --protocol s3` sends
// them straight to the bucket, `s3-cors` opens the bucket to a browser origin.

let client: S3Client
let bucket: string
let dir: string
let file: TestFile

beforeAll(async () => {
  assertBuilt()
  client = adminClient()
  bucket = await createTestBucket(client, 'cli')
  dir = await makeTempDir('s3-cli')
  file = await writeRandomFile(dir, 'video.bin', 12 * MiB)
})
afterAll(async () => {
  killAll()
  if (bucket) await dropTestBucket(client, bucket)
  await removeDir(dir)
})

const s3Flags = () => {
  const env = s3Env()
  return [
    '--s3-endpoint',
    env.endpoint,
    '--s3-access-key',
    env.accessKeyId,
    '--s3-secret-key',
    env.secretAccessKey,
  ]
}

describe('shuttle CLI with S3', () => {
  it('serve --s3-bucket + upload --protocol s3 put the file in the bucket, byte for byte', async () => {
    const serve = runCli([
      'serve',
      '--port',
      '0',
      '--dir',
      `${dir}/uploads`,
      '--s3-bucket',
      bucket,
      ...s3Flags(),
    ])
    const [, base] = await waitFor(
      serve.stdout,
      /S3 multipart signing at (http:\/\/127\.0\.0\.1:\d+)\/s3\/multipart/,
    )
    const upload = runCli([
      'upload',
      file.path,
      '--protocol',
      's3',
      '--endpoint',
      base as string,
      '--part-size',
      '5MiB',
      '--json',
      '--quiet',
      '--state-dir',
      `${dir}/state`,
    ])
    expect(await upload.exit, upload.stderr()).toBe(0)
    const line = JSON.parse(upload.stdout().trim()) as { sha256: string }
    expect(line.sha256).toBe(file.sha256)
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
    const key = listed.Contents?.[0]?.Key ?? ''
    expect(key).toMatch(/^[0-9a-f]{32}\/video\.bin$/)
    expect(await objectSha256(client, bucket, key)).toBe(file.sha256)
    serve.child.kill('SIGTERM')
    expect(await serve.exit).toBe(0)
  })

  it('s3-cors sets rules a browser preflight accepts', async () => {
    const origin = 'http://127.0.0.1:5998'
    const run = runCli(['s3-cors', '--bucket', bucket, '--origin', origin, ...s3Flags()])
    expect(await run.exit, run.stderr()).toBe(0)
    expect(run.stdout()).toContain(origin)
    const preflight = await fetch(`${s3Env().endpoint}/${bucket}/k/v.bin?partNumber=1&uploadId=u`, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'PUT' },
    })
    expect(preflight.status).toBe(200)
    expect(preflight.headers.get('access-control-expose-headers') ?? '').toMatch(/etag/i)
    const bad = runCli(['s3-cors', '--bucket', bucket, '--origin', 'not an origin', ...s3Flags()])
    expect(await bad.exit).toBe(2)
  })
})
