import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createOperations, directoryWritable, type OperationsOptions } from './operations.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c()
})

async function serve(options: OperationsOptions): Promise<string> {
  const ops = createOperations(options)
  const server = http.createServer((req, res) => {
    if (!ops.handle(req, res)) {
      res.writeHead(418)
      res.end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

describe('createOperations', () => {
  it('/healthz answers 200 while the process answers; other paths are not its business', async () => {
    const url = await serve({ checks: { broken: async () => Promise.reject(new Error('down')) } })
    const res = await fetch(`${url}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
    expect((await fetch(`${url}/files/`)).status).toBe(418)
    // No metrics source: /metrics is not served.
    expect((await fetch(`${url}/metrics`)).status).toBe(418)
  })

  it('/readyz: 200 when every check passes, 503 naming each one that fails or hangs', async () => {
    let redisUp = true
    const url = await serve({
      checks: {
        store: async () => {},
        redis: async () => {
          if (!redisUp) throw new Error('connect ECONNREFUSED 127.0.0.1:6390')
        },
        slow: () => new Promise<void>((resolve) => setTimeout(resolve, 10_000).unref()),
      },
      checkTimeout: 200,
    })
    let res = await fetch(`${url}/readyz`)
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ status: 'unavailable', down: ['slow'] })
    redisUp = false
    res = await fetch(`${url}/readyz`)
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('5')
    const body = await res.json()
    expect(body.down).toEqual(['redis', 'slow'])
    expect(body.checks.redis).toEqual({ ok: false, error: 'connect ECONNREFUSED 127.0.0.1:6390' })
    expect(body.checks.slow.error).toBe('no answer within 200 ms')
    expect(body.checks.store.ok).toBe(true)

    const fine = await serve({ checks: { store: async () => {} } })
    res = await fetch(`${fine}/readyz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ status: 'ready', checks: { store: { ok: true } } })
  })

  it('/readyz names draining while the server drains', async () => {
    let draining = false
    const url = await serve({ checks: {}, draining: () => draining })
    expect((await fetch(`${url}/readyz`)).status).toBe(200)
    draining = true
    const res = await fetch(`${url}/readyz`)
    expect(res.status).toBe(503)
    expect((await res.json()).down).toEqual(['draining'])
  })

  it('/metrics with a token answers 401 without it and the text with it', async () => {
    const url = await serve({
      metrics: { contentType: 'text/plain; version=0.0.4', text: async () => 'a_total 1\n' },
      metricsToken: 'sekrit-token',
    })
    expect((await fetch(`${url}/metrics`)).status).toBe(401)
    const wrong = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer sekrit-tokem' } })
    expect(wrong.status).toBe(401)
    const res = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer sekrit-token' } })
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('a_total 1\n')
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405)
  })
})

describe('directoryWritable', () => {
  it('passes on a writable directory and leaves nothing behind; fails on a read-only or missing one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-ready-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const check = directoryWritable(dir)
    await check(AbortSignal.timeout(1000))
    expect(await readdir(dir)).toEqual([])
    await expect(directoryWritable(path.join(dir, 'missing'))(AbortSignal.timeout(1000))).rejects.toThrow(
      /ENOENT/,
    )
    if (process.getuid?.() !== 0) {
      await chmod(dir, 0o500)
      await expect(check(AbortSignal.timeout(1000))).rejects.toThrow(/EACCES/)
      await chmod(dir, 0o700)
    }
  })
})
