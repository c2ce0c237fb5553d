import http from 'node:http'
import { describe, expect, it, vi } from 'vitest'
import { OCTET, startTus } from '../test/helpers/start-tus.js'
import { MemoryLocker } from './lockers/memory-locker.js'

describe('drain (graceful shutdown)', () => {
  it('stops a running PATCH with what arrived stored, unlocks it, and answers new requests 503', async () => {
    const locker = new MemoryLocker()
    const t = await startTus({ locker })
    try {
      const created = await t.req(t.endpoint, { method: 'POST', headers: { 'Upload-Length': '100000' } })
      const url = created.headers.get('location') as string
      const id = url.split('/').pop() as string
      // A PATCH that sends 1000 bytes and then stalls, as a client mid-body does.
      const req = http.request(url, {
        method: 'PATCH',
        headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Length': '100000', ...OCTET },
      })
      const answered = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>(
        (resolve, reject) => {
          req.on('response', (res) => {
            let body = ''
            res.on('data', (c) => {
              body += c
            })
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
          })
          req.on('error', reject)
        },
      )
      req.write(Buffer.alloc(1000, 7))
      // The file store writes as bytes arrive: its offset is the data file's size.
      await vi.waitFor(async () => expect((await t.tus.store.getUpload(id)).offset).toBe(1000), {
        timeout: 5000,
      })

      const left = await t.tus.drain(5000)
      expect(left).toBe(0)
      expect(t.tus.draining).toBe(true)
      const res = await answered
      expect(res.status).toBe(503)
      expect(res.headers['retry-after']).toBe('1')
      expect(res.headers.connection).toBe('close')
      expect(res.body).toContain('1000 bytes')
      req.destroy()
      expect((await t.tus.store.getUpload(id)).offset).toBe(1000)
      // The lock is free at once (nobody waits for a timeout).
      const lock = locker.newLock(id)
      await lock.lock(AbortSignal.timeout(50), () => {})
      await lock.unlock()

      const head = await t.req(url, { method: 'HEAD' })
      expect(head.status).toBe(503)
      expect(head.headers.get('retry-after')).toBe('1')
      const post = await t.req(t.endpoint, { method: 'POST', headers: { 'Upload-Length': '1' } })
      expect(post.status).toBe(503)
      expect(await post.text()).toMatch(/shutting down; nothing was changed/)
    } finally {
      await t.close()
    }
  })

  it('a request waiting for a lock when draining starts gets 503 and changes nothing', async () => {
    const locker = new MemoryLocker()
    const t = await startTus({ locker, lockTimeout: 30_000 })
    try {
      const created = await t.req(t.endpoint, { method: 'POST', headers: { 'Upload-Length': '10' } })
      const url = created.headers.get('location') as string
      const id = url.split('/').pop() as string
      // Another holder that ignores release requests; the PATCH asks it once it waits for the lock.
      let asked: () => void = () => {}
      const waiting = new Promise<void>((resolve) => {
        asked = resolve
      })
      const other = locker.newLock(id)
      await other.lock(AbortSignal.timeout(1000), () => asked())
      const patch = t.req(url, { method: 'PATCH', headers: { 'Upload-Offset': '0', ...OCTET }, body: 'abc' })
      await waiting
      expect(await t.tus.drain(5000)).toBe(0)
      const res = await patch
      expect(res.status).toBe(503)
      expect(await res.text()).toMatch(/shutting down; nothing was changed on upload/)
      await other.unlock()
      expect((await t.tus.store.getUpload(id)).offset).toBe(0)
    } finally {
      await t.close()
    }
  })

  it('resolves with the requests still running when the time runs out', async () => {
    const t = await startTus()
    try {
      const created = await t.req(t.endpoint, { method: 'POST', headers: { 'Upload-Length': '10' } })
      const url = created.headers.get('location') as string
      // A HEAD held inside the store: drain cannot stop it.
      const store = t.tus.store
      const getUpload = store.getUpload.bind(store)
      let entered: () => void = () => {}
      const inside = new Promise<void>((resolve) => {
        entered = resolve
      })
      let release: () => void = () => {}
      store.getUpload = async (id) => {
        entered()
        await new Promise<void>((resolve) => {
          release = resolve
        })
        return getUpload(id)
      }
      const head = t.req(url, { method: 'HEAD' })
      await inside
      expect(await t.tus.drain(100)).toBe(1)
      release()
      expect((await head).status).toBe(200)
    } finally {
      await t.close()
    }
  })
})
