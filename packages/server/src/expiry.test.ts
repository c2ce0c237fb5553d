import { afterEach, describe, expect, it, vi } from 'vitest'
import { OCTET, startTus, type Tus } from '../test/helpers/start-tus.js'

let t: Tus | undefined
afterEach(async () => {
  vi.useRealTimers()
  await t?.close()
  t = undefined
})

describe('expiration', () => {
  it('reports Upload-Expires, answers 410 once expired and sweeps only unfinished uploads', async () => {
    t = await startTus({ expireAfter: 60_000, expirySweepInterval: 0 })
    const post = (length: string) =>
      t!.req(t!.endpoint, { method: 'POST', headers: { 'Upload-Length': length } })
    const open = await post('10')
    const url = open.headers.get('location')!
    const expires = Date.parse(open.headers.get('upload-expires')!)
    expect(expires).toBeGreaterThan(Date.now() + 50_000)
    const done = (await post('0')).headers.get('location')!
    expect((await t.req(done, { method: 'HEAD' })).headers.get('upload-expires')).toBeNull()

    const expired: string[] = []
    t.tus.on('upload-expired', ({ upload }) => expired.push(upload.id))
    expect(await t.tus.sweepExpired()).toBe(0)

    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 61_000)
    expect((await t.req(url, { method: 'HEAD' })).status).toBe(410)
    const p = await t.req(url, { method: 'PATCH', headers: { ...OCTET, 'Upload-Offset': '0' }, body: 'x' })
    expect(p.status).toBe(410)
    expect(await t.tus.sweepExpired()).toBe(1)
    expect(expired).toEqual([new URL(url).pathname.split('/').pop()])
    expect((await t.req(url, { method: 'HEAD' })).status).toBe(404)
    expect((await t.req(done, { method: 'HEAD' })).status).toBe(200)
  })
})

describe('expiry timer', () => {
  it('sweeps on its own every expirySweepInterval and close() stops it', async () => {
    t = await startTus({ expireAfter: 30, expirySweepInterval: 40 })
    const res = await t.req(t.endpoint, { method: 'POST', headers: { 'Upload-Length': '5' } })
    const id = new URL(res.headers.get('location')!).pathname.split('/').pop()
    const expired = await new Promise<string>((resolve) => {
      t!.tus.on('upload-expired', ({ upload }) => resolve(upload.id))
    })
    expect(expired).toBe(id)
  })
})
