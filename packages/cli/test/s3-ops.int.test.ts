import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { S3Client } from '@aws-sdk/client-s3'
import { createUploader } from '@shuttle/core'
import { waitUntil } from '@shuttle/server/conformance'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../../test/services/free-port.js'
import { startRedisServer } from '../../redis-locker/test/redis-server.js'
import { type CliServer, spawnCli } from '../../server/test/helpers/cli.js'
import { adminClient, createTestBucket, dropTestBucket, s3Env } from '../../server/test/helpers/s3-env.js'
import { type S3Proxy, startS3Proxy } from '../../server/test/helpers/s3-proxy.js'
import { assertBuilt } from './helpers.js'
import { openPatch } from './raw-patch.js'

// /healthz, /readyz and /metrics of `shuttle serve --store s3 --redis` on Ceph RGW (through a
// recording proxy that can also go away) and a redis-server of the test's own, stopped by PID.
const MiB = 1024 * 1024
const P = 8 * MiB

let client: S3Client
let bucket: string
let dir: string
const servers: CliServer[] = []
const stops: (() => Promise<void>)[] = []

beforeAll(async () => {
  assertBuilt()
  client = adminClient()
  bucket = await createTestBucket(client, 'ops')
  dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-ops-'))
})
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop('SIGKILL')))
  for (const stop of stops.splice(0)) await stop()
})
afterAll(async () => {
  await dropTestBucket(client, bucket)
  await rm(dir, { recursive: true, force: true })
})

async function s3Proxy(): Promise<S3Proxy> {
  const proxy = await startS3Proxy(s3Env().endpoint)
  let closed = false
  stops.push(async () => {
    if (!closed) await proxy.close()
  })
  return {
    ...proxy,
    close: async () => {
      closed = true
      await proxy.close()
    },
  }
}

async function redisServer() {
  const redis = await startRedisServer(await freePort())
  stops.push(() => redis.stop())
  return redis
}

async function serve(extra: string[], s3Endpoint?: string): Promise<CliServer & { base: string }> {
  const env = s3Env()
  const s3 = [
    '--store',
    's3',
    '--s3-bucket',
    bucket,
    '--s3-endpoint',
    s3Endpoint ?? env.endpoint,
    '--s3-access-key',
    env.accessKeyId,
    '--s3-secret-key',
    env.secretAccessKey,
  ]
  const server = await spawnCli(path.join(dir, `unused-${servers.length}`), [...s3, ...extra])
  servers.push(server)
  return { ...server, base: `http://127.0.0.1:${server.port}` }
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

async function scrape(base: string): Promise<(series: string) => number> {
  const res = await fetch(`${base}/metrics`)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  const text = await res.text()
  return (series) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `))
    return line === undefined ? 0 : Number(line.slice(series.length + 1))
  }
}

describe('shuttle serve operations on RGW and Redis', () => {
  it('/healthz and /readyz: ready with S3 and Redis up; 503 naming Redis once it is killed, and S3 once it is unreachable', async () => {
    const redis = await redisServer()
    const proxy = await s3Proxy()
    const s = await serve(['--redis', redis.url], proxy.endpoint)

    expect(await getJson(`${s.base}/healthz`)).toEqual({ status: 200, body: { status: 'ok' } })
    let ready = await getJson(`${s.base}/readyz`)
    expect(ready.status).toBe(200)
    expect(ready.body).toMatchObject({ status: 'ready', checks: { s3: { ok: true }, redis: { ok: true } } })
    // The S3 check is a HeadBucket: one cheap request.
    const heads = proxy.log.filter((r) => r.method === 'HEAD' && r.path.replace(/\/$/, '') === `/${bucket}`)
    expect(heads.length, JSON.stringify(proxy.log.map((r) => `${r.method} ${r.path}`))).toBeGreaterThan(1)

    await redis.stop() // killed by PID
    ready = await getJson(`${s.base}/readyz`)
    expect(ready.status).toBe(503)
    expect(ready.body).toMatchObject({ status: 'unavailable', down: ['redis'], checks: { s3: { ok: true } } })
    expect((ready.body.checks as Record<string, { error?: string }>).redis?.error).toBeTruthy()
    // Liveness is not readiness: the process still answers.
    expect((await getJson(`${s.base}/healthz`)).status).toBe(200)

    await proxy.close() // the S3 endpoint is gone
    ready = await getJson(`${s.base}/readyz`)
    expect(ready.status).toBe(503)
    expect(ready.body.down).toEqual(['s3', 'redis'])
    console.log(`[s3-ops] /readyz with S3 and Redis down: ${JSON.stringify(ready.body)}`)
  })

  it('/readyz of the file store names the directory when it cannot be written', async () => {
    const store = path.join(dir, 'file-store')
    const server = await spawnCli(store, [])
    servers.push(server)
    const base = `http://127.0.0.1:${server.port}`
    const ready = await getJson(`${base}/readyz`)
    expect(ready).toMatchObject({ status: 200, body: { checks: { directory: { ok: true } } } })
    // A regular file where the directory was: nothing can be written there.
    await rm(store, { recursive: true, force: true })
    await writeFile(store, 'not a directory')
    const down = await getJson(`${base}/readyz`)
    expect(down.status).toBe(503)
    expect(down.body.down).toEqual(['directory'])
    // Without --metrics there is no /metrics.
    expect((await fetch(`${base}/metrics`)).status).toBe(404)
    await rm(store, { force: true })
  })

  it('/metrics counters equal what happened: uploads, bytes, an active PATCH, S3 requests by command', async () => {
    const proxy = await s3Proxy()
    const s = await serve(['--metrics'], proxy.endpoint)
    const sizes = [13, MiB, 2 * P + 3 * MiB] // in the POST; in the POST; POST + 3 PATCHes
    const files = await Promise.all(
      sizes.map(async (n, k) => {
        const file = path.join(dir, `metrics-${k}.bin`)
        await writeFile(file, randomBytes(n))
        return file
      }),
    )
    const up = createUploader({ endpoint: s.endpoint, chunkSize: P, retryDelays: [] })
    try {
      const ids = up.add(files)
      await waitUntil(
        () => ids.every((id) => up.getFile(id)?.status === 'completed'),
        60_000,
        'the three uploads complete',
      )
    } finally {
      await up.destroy()
    }
    let m = await scrape(s.base)
    expect(m('shuttle_uploads_created_total')).toBe(3)
    expect(m('shuttle_uploads_finished_total')).toBe(3)
    expect(m('shuttle_bytes_received_total')).toBe(sizes.reduce((a, b) => a + b, 0))
    expect(m('shuttle_active_patches')).toBe(0)
    // The histogram counted the very requests the proxy saw reach S3.
    const partPuts = proxy.partPuts().length
    expect(partPuts).toBe(3 + 1 + 1) // parts of the large file (3), one for each smaller one
    expect(m('shuttle_s3_request_duration_seconds_count{command="UploadPart",outcome="ok"}')).toBe(partPuts)
    const s3Requests = proxy.log.length
    let counted = 0
    for (const line of (await (await fetch(`${s.base}/metrics`)).text()).split('\n')) {
      if (line.startsWith('shuttle_s3_request_duration_seconds_count{')) counted += Number(line.split(' ')[1])
    }
    expect(counted).toBe(s3Requests)
    expect(m('process_resident_memory_bytes')).toBeGreaterThan(0)

    // A PATCH streaming right now: active, and its stored bytes already counted.
    const created = await fetch(s.endpoint, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(P + 2 * MiB) },
    })
    const url = created.headers.get('location') as string
    const body = randomBytes(P + 2 * MiB)
    const patch = openPatch(url, 0, body.length)
    patch.send(body.subarray(0, P + MiB))
    await waitUntil(() => proxy.partPuts().length === partPuts + 1, 20_000, 'part 1 of the PATCH is stored')
    const before = sizes.reduce((a, b) => a + b, 0)
    await waitUntil(
      async () => (await scrape(s.base))('shuttle_bytes_received_total') >= before + P,
      10_000,
      'the stored part is counted while the PATCH runs',
    )
    m = await scrape(s.base)
    expect(m('shuttle_active_patches')).toBe(1)
    patch.send(body.subarray(P + MiB))
    expect(await patch.answer).toBe(204)
    m = await scrape(s.base)
    expect(m('shuttle_active_patches')).toBe(0)
    expect(m('shuttle_uploads_created_total')).toBe(4)
    expect(m('shuttle_uploads_finished_total')).toBe(4)
    expect(m('shuttle_bytes_received_total')).toBe(before + body.length)
    // A PATCH at a wrong offset is a failed write, counted by its status.
    const wrong = await fetch(url, {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
      },
      body: 'x',
    })
    expect(wrong.status).toBe(409)
    m = await scrape(s.base)
    expect(m('shuttle_uploads_failed_total{status="409"}')).toBe(1)
    // Nothing in the text names an upload.
    const text = await (await fetch(`${s.base}/metrics`)).text()
    expect(text).not.toContain(new URL(url).pathname.split('/').pop() as string)
    expect(text).not.toContain('metrics-')
  })
})
