import type { ChildProcess } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, runCli as run, waitFor } from './helpers.js'

const children: ChildProcess[] = []
let dir: string

beforeAll(assertBuilt)
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
  if (dir) await rm(dir, { recursive: true, force: true })
})

async function request(url: string, init: RequestInit = {}) {
  const res = await fetch(url, init)
  return { status: res.status, headers: res.headers, body: await res.text() }
}

describe('shuttle serve', () => {
  it('serves tus and the landing page, logs uploads, and stops cleanly on SIGTERM', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-serve-'))
    const r = run(['serve', '--port', '0', '--dir', dir, '--max-size', '1MiB'])
    children.push(r.child)
    const [, endpoint] = await waitFor(r.stdout, /tus endpoint (http:\/\/127\.0\.0\.1:\d+\/files\/)/)
    const base = endpoint!.replace(/\/files\/$/, '')

    const page = await request(`${base}/`)
    expect(page.status).toBe(200)
    expect(page.body).toContain(endpoint)

    const options = await request(endpoint!, { method: 'OPTIONS' })
    expect(options.headers.get('tus-max-size')).toBe(String(1024 * 1024))

    const created = await request(endpoint!, {
      method: 'POST',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Length': '5',
        'Upload-Metadata': `filename ${btoa('a.txt')}`,
      },
    })
    expect(created.status).toBe(201)
    const location = created.headers.get('location')!
    const patched = await request(location, {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Upload-Offset': '0',
        'Content-Type': 'application/offset+octet-stream',
      },
      body: 'hello',
    })
    expect(patched.status).toBe(204)
    expect((await request(location)).body).toBe('hello')
    await waitFor(r.stdout, /finished\s+\S+\s+"a\.txt"/)

    const tooBig = await request(endpoint!, {
      method: 'POST',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(2 * 1024 * 1024) },
    })
    expect(tooBig.status).toBe(413)

    r.child.kill('SIGTERM')
    expect(await r.exit).toBe(0)
    expect(r.stderr()).toMatch(/SIGTERM: draining/)
    expect(r.stderr()).toMatch(/Stopped: every running write stored what arrived and released its lock/)
    expect((await readdir(dir)).length).toBeGreaterThan(0)
  })

  it('answers usage errors with exit code 2 and a message naming the flag', async () => {
    const r = run(['serve', '--port', 'eighty'])
    expect(await r.exit).toBe(2)
    expect(r.stderr()).toMatch(/--port: "eighty" is not a port number/)
    const unknown = run(['frobnicate'])
    expect(await unknown.exit).toBe(2)
    expect(unknown.stderr()).toMatch(/unknown command "frobnicate"/)
  })

  it('says so when the port is taken', async () => {
    const blocker = http.createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    const port = (blocker.address() as { port: number }).port
    try {
      const r = run(['serve', '--port', String(port), '--dir', os.tmpdir()])
      expect(await r.exit).toBe(1)
      expect(r.stderr()).toMatch(/already in use/)
    } finally {
      blocker.close()
    }
  })
})
