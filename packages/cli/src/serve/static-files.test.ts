import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveStatic } from './static-files.js'

let dir: string
let server: http.Server
let base: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-static-'))
  await mkdir(path.join(dir, 'site', 'assets'), { recursive: true })
  await writeFile(path.join(dir, 'site', 'index.html'), '<h1>demo</h1>')
  await writeFile(path.join(dir, 'site', 'assets', 'app-1234.js'), 'console.log(1)')
  await writeFile(path.join(dir, 'secret.txt'), 'do not serve')
  server = http.createServer((req, res) => {
    serveStatic(path.join(dir, 'site'), req, res).then((answered) => {
      if (!answered) res.writeHead(404).end('fallthrough')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.close()
  await rm(dir, { recursive: true, force: true })
})

// Raw request so that `..` segments reach the server as typed (fetch would normalise them).
function get(rawPath: string): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/`, { path: rawPath }, (res) => {
      let body = ''
      res.on('data', (c) => {
        body += c
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('serveStatic', () => {
  it('serves index.html, assets and a single-page fallback', async () => {
    expect(await get('/')).toMatchObject({ status: 200, body: '<h1>demo</h1>' })
    const js = await get('/assets/app-1234.js')
    expect(js.status).toBe(200)
    expect(js.type).toMatch(/javascript/)
    expect(await get('/some/route')).toMatchObject({ status: 200, body: '<h1>demo</h1>' })
    expect((await get('/missing.png')).body).toBe('fallthrough')
  })

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/%00',
    '/..%5csecret.txt',
  ])('never leaves the root for %s', async (p) => {
    const r = await get(p)
    expect(r.body).not.toContain('do not serve')
  })
})
