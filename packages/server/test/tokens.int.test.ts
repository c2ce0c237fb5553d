import { afterEach, describe, expect, it } from 'vitest'
import { issueUploadToken } from '../src/index.js'
import { OCTET, startTus, type Tus } from './helpers/start-tus.js'

const SECRET = 'integration-secret-32-bytes-long!!'
let t: Tus | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

describe('a server that requires upload tokens', () => {
  it('answers 401 with a sentence and a Bearer challenge without a valid token, and serves one with it', async () => {
    t = await startTus({ tokens: { secret: SECRET } })
    const tus = t
    const create = (headers: Record<string, string> = {}) =>
      tus.req(tus.endpoint, { method: 'POST', headers: { 'Upload-Length': '5', ...headers } })

    const none = await create()
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm="uploads"/)
    expect(await none.text()).toMatch(/needs an upload token/)

    const basic = await create({ Authorization: 'Basic dXNlcjpwYXNz' })
    expect(basic.status).toBe(401)
    expect(await basic.text()).toMatch(/not a Bearer token/)

    const forged = await issueUploadToken('some-other-secret-that-is-32-bytes', { sub: 'u' })
    const bad = await create({ Authorization: `Bearer ${forged}` })
    expect(bad.status).toBe(401)
    expect(await bad.text()).toMatch(/not signed by this server/)

    // Discovery stays open: clients ask OPTIONS before they have a token.
    expect((await tus.req(tus.endpoint, { method: 'OPTIONS' })).status).toBe(204)

    const auth = { Authorization: `Bearer ${await issueUploadToken(SECRET, { sub: 'u', expiresIn: 60 })}` }
    const created = await create(auth)
    expect(created.status).toBe(201)
    const url = created.headers.get('location') ?? ''
    expect((await tus.req(url, { method: 'HEAD' })).status).toBe(401)
    const patched = await tus.req(url, {
      method: 'PATCH',
      headers: { ...OCTET, ...auth, 'Upload-Offset': '0' },
      body: 'hello',
    })
    expect(patched.status).toBe(204)
    expect(await (await tus.req(url, { headers: auth })).text()).toBe('hello')
  })

  it('refuses to start with a secret too short to be safe', async () => {
    await expect(startTus({ tokens: { secret: 'short' } })).rejects.toThrow(/at least 32 bytes/)
  })
})
