import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { verifyUploadToken } from '@shuttle/server'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DEMO_SECRET } from '../src/serve/demo-tokens.js'
import { assertBuilt, killAll, runCli, waitFor } from './helpers.js'

// `shuttle serve --demo-tokens`: the token endpoint the demo page uses, and tus requiring its tokens.
let dir: string

beforeAll(assertBuilt)
afterEach(async () => {
  killAll()
  if (dir) await rm(dir, { recursive: true, force: true })
})

const post = (url: string, body?: string) =>
  fetch(url, { method: 'POST', ...(body === undefined ? {} : { body }) }).then(async (r) => ({
    status: r.status,
    cache: r.headers.get('cache-control'),
    json: (await r.json()) as Record<string, unknown>,
  }))

describe('shuttle serve --demo-tokens', () => {
  it('hands out short-lived tokens per browser subject, labelled demo only, and tus requires them', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-demo-tokens-'))
    const r = runCli(['serve', '--port', '0', '--dir', dir, '--demo-tokens', '--demo-token-expires', '2s'])
    const [, base] = await waitFor(r.stdout, /serving (http:\/\/127\.0\.0\.1:\d+)\//)
    await waitFor(
      r.stdout,
      /DEMO ONLY: .*POST .*\/demo-token \(lifetime 2s\).*never use --demo-tokens in production/,
    )
    expect(r.stdout()).toContain(DEMO_SECRET)

    // A new browser: no subject yet, one is made and returned.
    const first = await post(`${base}/demo-token`)
    expect(first.status).toBe(200)
    expect(first.cache).toBe('no-store')
    expect(first.json).toMatchObject({ demoOnly: true, expiresIn: 2 })
    const subject = first.json.subject as string
    const verified = await verifyUploadToken(DEMO_SECRET, first.json.token as string)
    expect(verified.sub).toBe(`demo:${subject}`)
    expect(verified.expiresAt - Date.now()).toBeLessThanOrEqual(2000)

    // The same browser again: same subject.
    const again = await post(`${base}/demo-token`, JSON.stringify({ subject }))
    expect((await verifyUploadToken(DEMO_SECRET, again.json.token as string)).sub).toBe(`demo:${subject}`)

    // Bad requests get a status and a sentence.
    expect(await post(`${base}/demo-token`, '{"subject":"../../etc"}')).toMatchObject({
      status: 400,
      json: { error: expect.stringMatching(/8 to 64 letters/) },
    })
    expect((await post(`${base}/demo-token`, 'not json')).status).toBe(400)
    const get = await fetch(`${base}/demo-token`)
    expect(get.status).toBe(405)
    expect(get.headers.get('allow')).toBe('POST')

    // tus: no token → 401 with a sentence; the demo token → created.
    const create = (headers: Record<string, string>) =>
      fetch(`${base}/files/`, {
        method: 'POST',
        headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '3', ...headers },
      })
    const refused = await create({})
    expect(refused.status).toBe(401)
    expect(await refused.text()).toMatch(/needs an upload token/)
    expect((await create({ Authorization: `Bearer ${again.json.token}` })).status).toBe(201)
  })

  it('--demo-token-expires alone is a usage error', async () => {
    const r = runCli(['serve', '--port', '0', '--demo-token-expires', '2s'])
    expect(await r.exit).toBe(2)
    expect(r.stderr()).toMatch(/--demo-token-expires needs --demo-tokens/)
  })
})

describe('shuttle serve without --demo-tokens', () => {
  it('POST /demo-token answers 204 (no token needed), so the demo page shows no failed request; with --auth-secret it is 404', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-demo-tokens-'))
    const open = runCli(['serve', '--port', '0', '--dir', dir])
    const [, base] = await waitFor(open.stdout, /serving (http:\/\/127\.0\.0\.1:\d+)\//)
    const none = await fetch(`${base}/demo-token`, { method: 'POST', body: '' })
    expect(none.status).toBe(204)
    expect(await none.text()).toBe('')
    const secret = runCli([
      'serve',
      '--port',
      '0',
      '--dir',
      dir,
      '--auth-secret',
      'a-serve-secret-of-at-least-32-bytes!',
    ])
    const [, secured] = await waitFor(secret.stdout, /serving (http:\/\/127\.0\.0\.1:\d+)\//)
    expect((await fetch(`${secured}/demo-token`, { method: 'POST', body: '' })).status).toBe(404)
  })
})
