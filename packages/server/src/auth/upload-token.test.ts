import { HttpError } from '@shuttle/protocol'
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { bearerToken, durationSeconds, issueUploadToken, verifyUploadToken } from './upload-token.js'

const SECRET = 'a-test-secret-of-at-least-32-bytes!!'
const key = new TextEncoder().encode(SECRET)

async function rejection(p: Promise<unknown>): Promise<HttpError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(HttpError)
  return err as HttpError
}

describe('upload tokens', () => {
  it('carries publicRead only when asked for', async () => {
    const pub = await verifyUploadToken(
      SECRET,
      await issueUploadToken(SECRET, { sub: 'u', publicRead: true }),
    )
    expect(pub.publicRead).toBe(true)
    const priv = await verifyUploadToken(SECRET, await issueUploadToken(SECRET, { sub: 'u' }))
    expect(priv.publicRead).toBeUndefined()
  })

  it('round-trips subject, expiry and limits', async () => {
    const before = Date.now()
    const token = await issueUploadToken(SECRET, {
      sub: 'user-42',
      expiresIn: '10m',
      maxFileSize: 1024,
      maxTotalBytes: 4096,
      maxFiles: 3,
      types: ['image/*', '.PDF'],
    })
    const t = await verifyUploadToken(SECRET, token)
    expect(t.sub).toBe('user-42')
    expect(t.limits).toEqual({
      maxFileSize: 1024,
      maxTotalBytes: 4096,
      maxFiles: 3,
      types: ['image/*', '.pdf'],
    })
    expect(t.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 600_000)
    expect(t.expiresAt).toBeLessThanOrEqual(Date.now() + 601_000) // exp rounds up to a whole second
  })

  it('refuses an expired token with 401, a sentence and a Bearer challenge', async () => {
    const now = Math.floor(Date.now() / 1000)
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u')
      .setAudience('shuttle-upload')
      .setExpirationTime(now - 60)
      .sign(key)
    const err = await rejection(verifyUploadToken(SECRET, token))
    expect(err.status).toBe(401)
    expect(err.message).toMatch(/expired/)
    expect(err.headers['WWW-Authenticate']).toMatch(/^Bearer .*error="invalid_token"/)
  })

  it('refuses a token signed with another secret, another audience, or without exp', async () => {
    const other = await issueUploadToken('another-secret-that-is-long-enough!!', { sub: 'u' })
    expect((await rejection(verifyUploadToken(SECRET, other))).message).toMatch(/not signed by this server/)
    const session = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u')
      .setAudience('my-app-session')
      .setExpirationTime('1h')
      .sign(key)
    expect((await rejection(verifyUploadToken(SECRET, session))).message).toMatch(/not an upload token/)
    const forever = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u')
      .setAudience('shuttle-upload')
      .sign(key)
    expect((await rejection(verifyUploadToken(SECRET, forever))).message).toMatch(/'exp'/)
  })

  it('refuses alg "none" and garbage', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')
    const body = Buffer.from(
      JSON.stringify({ sub: 'u', aud: 'shuttle-upload', exp: Math.floor(Date.now() / 1000) + 60 }),
    ).toString('base64url')
    expect((await rejection(verifyUploadToken(SECRET, `${header}.${body}.`))).status).toBe(401)
    expect((await rejection(verifyUploadToken(SECRET, 'not-a-token'))).message).toMatch(/malformed/)
  })

  it('refuses short secrets, empty subjects and bad lifetimes before signing', async () => {
    await expect(issueUploadToken('short', { sub: 'u' })).rejects.toThrow(/at least 32 bytes/)
    await expect(issueUploadToken(SECRET, { sub: '' })).rejects.toThrow(/'sub'/)
    await expect(issueUploadToken(SECRET, { sub: 'u', maxFileSize: -1 })).rejects.toThrow(/maxFileSize/)
    expect(() => durationSeconds('5 weeks')).toThrow(/lifetime/)
    expect(durationSeconds('2s')).toBe(2)
    expect(durationSeconds('7d')).toBe(604_800)
    expect(durationSeconds(90)).toBe(90)
  })

  it('reads only well-formed Bearer headers', () => {
    const req = (authorization?: string) => ({ headers: { authorization } }) as never
    expect(bearerToken(req('Bearer abc.def.ghi'))).toBe('abc.def.ghi')
    expect(bearerToken(req('bearer  abc.def.ghi '))).toBe('abc.def.ghi')
    expect(bearerToken(req('Basic dXNlcjpwYXNz'))).toBeUndefined()
    expect(bearerToken(req('Bearer a b'))).toBeUndefined()
    expect(bearerToken(req(undefined))).toBeUndefined()
  })
})
