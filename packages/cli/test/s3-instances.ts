import path from 'node:path'
import { ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3'
import { expect } from 'vitest'
import { type CliServer, spawnCli } from '../../server/test/helpers/cli.js'
import type { S3TestEnv } from '../../server/test/helpers/s3-env.js'
import { type RoundRobinProxy, startRoundRobinProxy } from './round-robin-proxy.js'

// Several `shuttle serve --store s3 --redis` behind a round-robin balancer, for the scale-out
// tests that share one RGW and one redis-server per file.
export const tus = { 'Tus-Resumable': '1.0.0' }

export function s3Flags(env: S3TestEnv): string[] {
  return [
    '--s3-endpoint',
    env.endpoint,
    '--s3-access-key',
    env.accessKeyId,
    '--s3-secret-key',
    env.secretAccessKey,
  ]
}

export interface Instances {
  servers: CliServer[]
  proxy: RoundRobinProxy
  stop(): Promise<void>
}

/** `count` instances on `bucket` (extra flags appended), and the balancer in front of them. */
export async function startInstances(options: {
  env: S3TestEnv
  bucket: string
  redis: string
  dir: string
  count?: number
  args?: string[]
}): Promise<Instances> {
  const args = [
    '--store',
    's3',
    '--s3-bucket',
    options.bucket,
    ...s3Flags(options.env),
    '--redis',
    options.redis,
    ...(options.args ?? []),
  ]
  const count = options.count ?? 3
  const servers = await Promise.all(
    Array.from({ length: count }, (_, k) => spawnCli(path.join(options.dir, `unused-${k}`), args)),
  )
  const proxy = await startRoundRobinProxy(servers.map((s) => s.endpoint))
  return {
    servers,
    proxy,
    stop: async () => {
      await proxy.close()
      await Promise.all(servers.map((s) => s.stop('SIGKILL')))
    },
  }
}

export function idOf(location: string): string {
  return new URL(location).pathname.split('/').pop() ?? ''
}

export async function head(url: string): Promise<Response> {
  return fetch(url, { method: 'HEAD', headers: tus, signal: AbortSignal.timeout(20_000) })
}

/** PATCH through `fetch` (a body in one piece); the answer's status, offset and text. */
export async function patch(
  url: string,
  offset: number,
  body: Uint8Array,
  headers: Record<string, string> = {},
): Promise<{ status: number; offset: number; text: string }> {
  const res = await fetch(url, {
    method: 'PATCH',
    headers: {
      ...tus,
      'Upload-Offset': String(offset),
      'Content-Type': 'application/offset+octet-stream',
      ...headers,
    },
    body: body as Uint8Array<ArrayBuffer>,
    signal: AbortSignal.timeout(60_000),
  })
  return { status: res.status, offset: Number(res.headers.get('upload-offset')), text: await res.text() }
}

/** Nothing of the upload but its object and info is left: no multipart upload, no tail. */
export async function expectOnlyObject(client: S3Client, bucket: string, id: string): Promise<void> {
  const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `tus/${id}` }))
  expect(open.Uploads ?? []).toEqual([])
  const keys = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `tus/${id}` }))
  expect((keys.Contents ?? []).map((o) => o.Key).sort()).toEqual([`tus/${id}`, `tus/${id}.info`])
}

/** Nothing of the upload is left at all (expired or removed). */
export async function expectNothingOf(client: S3Client, bucket: string, id: string): Promise<void> {
  const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `tus/${id}` }))
  expect(open.Uploads ?? []).toEqual([])
  const keys = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `tus/${id}` }))
  expect((keys.Contents ?? []).map((o) => o.Key)).toEqual([])
}
