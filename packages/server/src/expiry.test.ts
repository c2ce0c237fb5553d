import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { OCTET, startTus, type Tus } from '../test/helpers/start-tus.js'
import { MemoryLocker } from './lockers/memory-locker.js'
import { createTusServer } from './server.js'

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

describe('expiration with a shared locker', () => {
  // A locker of several instances: `claim` says whose turn the sweep is, `busy` which uploads a
  // PATCH is streaming into somewhere.
  function sharedLocker(turn: { mine: boolean }, busyIds: Set<string>) {
    const locker = new MemoryLocker()
    return Object.assign(locker, {
      claims: [] as [string, number][],
      claim: async function (this: { claims: [string, number][] }, duty: string, ttl: number) {
        this.claims.push([duty, ttl])
        return turn.mine
      },
      busy: async (id: string) => busyIds.has(id),
    })
  }

  it('sweeps only when its claim succeeds, and skips uploads whose lock is held elsewhere', async () => {
    const turn = { mine: false }
    const busy = new Set<string>()
    const locker = sharedLocker(turn, busy)
    t = await startTus({ expireAfter: 60_000, expirySweepInterval: 1000, locker })
    const post = async () =>
      (await t!.req(t!.endpoint, { method: 'POST', headers: { 'Upload-Length': '10' } })).headers.get(
        'location',
      )!
    const [a, b] = [await post(), await post()]
    busy.add(new URL(b).pathname.split('/').pop()!)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 61_000)
    expect(await t.tus.sweepExpired()).toBe(0) // another instance's turn
    expect(locker.claims).toEqual([['expiry-sweep', 950]])
    expect((await t.req(a, { method: 'HEAD' })).status).toBe(410) // expired, still there
    turn.mine = true
    expect(await t.tus.sweepExpired()).toBe(1) // a; b is being written to
    expect((await t.req(a, { method: 'HEAD' })).status).toBe(404)
    expect((await t.req(b, { method: 'HEAD' })).status).toBe(410)
  })
})

describe('crash leftovers', () => {
  it('the sweep also removes files no upload owns once they are an hour old, and keeps uploads', async () => {
    t = await startTus({ expireAfter: 60_000, expirySweepInterval: 0 })
    const res = await t.req(t.endpoint, { method: 'POST', headers: { 'Upload-Length': '3' } })
    const url = res.headers.get('location')!
    const orphan = path.join(t.dir, 'AAAAAAAAAAAAAAAAAAAAAAAA') // data file whose info was never written
    await writeFile(orphan, 'abc')
    const old = new Date(Date.now() - 2 * 3600_000)
    await utimes(orphan, old, old)
    expect(await t.tus.sweepExpired()).toBe(0)
    await expect(readFile(orphan)).rejects.toThrow(/ENOENT/)
    expect((await t.req(url, { method: 'HEAD' })).status).toBe(200)
  })
})

describe('crash leftovers without expiry', () => {
  async function oldOrphan(dir: string): Promise<string> {
    await mkdir(dir, { recursive: true })
    const orphan = path.join(dir, 'BBBBBBBBBBBBBBBBBBBBBBBB')
    await writeFile(orphan, 'abc')
    const old = new Date(Date.now() - 2 * 3600_000)
    await utimes(orphan, old, old)
    return orphan
  }

  it('are removed when the server starts, uploads and young files kept', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-leftovers-'))
    try {
      const orphan = await oldOrphan(dir)
      const young = path.join(dir, 'CCCCCCCCCCCCCCCCCCCCCCCC')
      await writeFile(young, 'in the middle of a creation')
      const tus = createTusServer({ path: '/files/', directory: dir })
      await vi.waitFor(() => expect(existsSync(orphan)).toBe(false), { timeout: 5000 })
      expect(await readFile(young, 'utf8')).toBe('in the middle of a creation')
      await tus.close()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('stay with expirySweepInterval: 0 (no timer of any kind)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-leftovers-'))
    try {
      const orphan = await oldOrphan(dir)
      const tus = createTusServer({ path: '/files/', directory: dir, expirySweepInterval: 0 })
      await tus.close() // close() waits for any sweep it started
      expect(existsSync(orphan)).toBe(true)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
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

describe('expiry counts idle time, not age', () => {
  it('never expires an upload that keeps sending, and expires it once idle', async () => {
    t = await startTus({ expireAfter: 300, expirySweepInterval: 50 })
    const created = await t.req(t.endpoint, { method: 'POST', headers: { 'Upload-Length': '40' } })
    const url = created.headers.get('location')!
    const id = new URL(url).pathname.split('/').pop()
    const firstExpiry = Date.parse(created.headers.get('upload-expires')!)
    const expired: string[] = []
    t.tus.on('upload-expired', ({ upload }) => expired.push(upload.id))

    // One PATCH that trickles 20 bytes over ~1.2 s: four times the expiry window, never idle.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(url, {
        method: 'PATCH',
        headers: { ...OCTET, 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Length': '20' },
      })
      req.on('response', (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      let sent = 0
      const timer = setInterval(() => {
        sent++
        if (sent < 20) req.write('x')
        else {
          clearInterval(timer)
          req.end('x')
        }
      }, 60)
    })
    expect(status).toBe(204)
    expect(expired).toEqual([])
    const head = await t.req(url, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('upload-offset')).toBe('20')
    expect(Date.parse(head.headers.get('upload-expires')!)).toBeGreaterThan(firstExpiry)

    // Now idle: the sweep removes it within the window plus a sweep or two.
    const end = Date.now() + 3000
    while (expired.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 25))
    expect(expired).toEqual([id])
    expect((await t.req(url, { method: 'HEAD' })).status).toBe(404)
  })
})
