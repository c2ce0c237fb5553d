import { afterEach, describe, expect, it, vi } from 'vitest'
import { createMemoryCheckpointStore } from './checkpoints/memory-store.js'
import { offsetOf, urlOf } from './machine.js'
import type { Checkpoint } from './ports.js'
import { createFakeTus, flush, untilAborted } from './test-support/fake-tus.js'
import { createTestUploader, file } from './test-support/uploader.js'

const endpoint = 'http://tus.test/files'

describe('lifecycle invariants', () => {
  afterEach(() => vi.useRealTimers())

  it('the checkpoint is saved before the first PATCH and removed on completion', async () => {
    const fake = createFakeTus()
    const store = createMemoryCheckpointStore()
    const atFirstPatch: Array<Checkpoint | undefined> = []
    fake.intercept = (req) => {
      if (req.method === 'PATCH' && atFirstPatch.length === 0) {
        void store.list?.().then((l) => atFirstPatch.push(l[0]?.checkpoint))
      }
      return undefined
    }
    const up = createTestUploader(fake)({ endpoint, checkpointStore: store })
    const [id] = up.add(file('a')) as [string]
    await flush(100)
    expect(atFirstPatch[0]).toMatchObject({
      url: `${endpoint}/1`,
      size: 1000,
      endpoint,
      metadata: { filename: 'a' },
    })
    expect(up.getFile(id)?.status).toBe('completed')
    expect(await store.list?.()).toEqual([])
  })

  it('a pause while the finished upload drops its checkpoint leaves it completed, not paused without a checkpoint', async () => {
    const fake = createFakeTus()
    const inner = createMemoryCheckpointStore()
    let releaseDelete: () => void = () => {}
    const deleting = new Promise<void>((resolve) => {
      releaseDelete = resolve
    })
    let deleteStarted = false
    const store = {
      ...inner,
      async delete(fp: string) {
        deleteStarted = true
        await deleting
        await inner.delete(fp)
      },
    }
    const up = createTestUploader(fake)({ endpoint, checkpointStore: store })
    const [id] = up.add(file('a')) as [string]
    for (let i = 0; i < 50 && !deleteStarted; i++) await flush(5)
    expect(deleteStarted).toBe(true)
    // The last byte is on the server and the checkpoint is going away: a Ctrl-C / pauseAll now
    // must not strand the file as paused (a later run would find no checkpoint and start over).
    up.pauseAll()
    expect(up.getFile(id)?.status).toBe('completed')
    releaseDelete()
    await flush(20)
    expect(up.getFile(id)?.status).toBe('completed')
  })

  it('410 on resume restarts with reason "gone"', async () => {
    const fake = createFakeTus()
    fake.hold = true
    const up = createTestUploader(fake)({ endpoint })
    const reasons: string[] = []
    up.on('upload-restarted', ({ reason }) => reasons.push(reason))
    const [id] = up.add(file('a')) as [string]
    await flush(50)
    up.pause(id)
    fake.hold = false
    fake.intercept = (req) => (req.method === 'HEAD' ? 410 : undefined)
    up.resume(id)
    await flush(100)
    expect(reasons).toEqual(['gone'])
    expect(up.getFile(id)?.status).toBe('completed')
  })

  it('a 404 mid-upload (expired) starts one fresh upload instead of failing', async () => {
    vi.useFakeTimers()
    const fake = createFakeTus()
    const up = createTestUploader(fake)({ endpoint, chunkSize: 100 })
    const restarted: string[] = []
    up.on('upload-restarted', ({ oldUrl }) => restarted.push(oldUrl))
    let patches = 0
    fake.intercept = (req) => {
      if (req.method === 'PATCH' && ++patches === 3) fake.uploads.delete(req.url)
      return undefined
    }
    const [id] = up.add(file('a', 500)) as [string]
    await vi.advanceTimersByTimeAsync(10)
    expect(restarted).toEqual([`${endpoint}/1`])
    expect(up.getFile(id)).toMatchObject({ status: 'completed', url: `${endpoint}/2` })
    expect([...(fake.uploads.get(`${endpoint}/2`)?.bytes ?? [])]).toEqual([...file('a', 500).data])
  })

  it('remove() of a completed file drops it without a DELETE', async () => {
    const fake = createFakeTus()
    const up = createTestUploader(fake)({ endpoint })
    const removed: string[] = []
    up.on('removed', ({ id }) => removed.push(id))
    const [id] = up.add(file('a')) as [string]
    await flush(50)
    await up.remove(id)
    expect(removed).toEqual([id])
    expect(up.getFiles()).toEqual([])
    expect(fake.log.some((r) => r.method === 'DELETE')).toBe(false)
  })

  it('illegal calls throw ERR_INVALID_TRANSITION; unknown ids ERR_UNKNOWN_FILE', async () => {
    const fake = createFakeTus()
    const up = createTestUploader(fake)({ endpoint })
    const [id] = up.add(file('a')) as [string]
    await flush(50)
    expect(() => up.pause(id)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_TRANSITION' }))
    expect(() => up.retry(id)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_TRANSITION' }))
    expect(() => up.pause('nope')).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_FILE' }))
    await expect(up.cancel(id)).rejects.toMatchObject({ code: 'ERR_INVALID_TRANSITION' })
  })

  it('state-change events carry full states; snapshots are immutable and replaced on change', async () => {
    const fake = createFakeTus()
    const up = createTestUploader(fake)({ endpoint })
    const seen: string[] = []
    up.on('state-change', ({ from, to }) => seen.push(`${from.status}>${to.status}`))
    const [id] = up.add(file('a')) as [string]
    const before = up.getFile(id)
    await flush(50)
    expect(seen).toEqual(['idle>queued', 'queued>preparing', 'preparing>uploading', 'uploading>completed'])
    expect(up.getFile(id)).not.toBe(before)
    expect(Object.isFrozen(up.getFile(id))).toBe(true)
    expect(up.getFile(id)?.state).toEqual({ status: 'completed', url: `${endpoint}/1`, offset: 1000 })
  })

  it('the state is the one copy of the position: snapshots, progress and restarts read it from there', async () => {
    const fake = createFakeTus()
    const up = createTestUploader(fake)({ endpoint, chunkSize: 100 })
    const mismatches: string[] = []
    up.on('progress', ({ id, bytesConfirmed }) => {
      const f = up.getFile(id)
      if (!f) return
      if (f.bytesConfirmed !== offsetOf(f.state) || bytesConfirmed !== offsetOf(f.state))
        mismatches.push(`${f.bytesConfirmed}/${bytesConfirmed} vs ${offsetOf(f.state)}`)
      if (f.url !== urlOf(f.state)) mismatches.push(`url ${f.url} vs ${urlOf(f.state)}`)
    })
    const [id] = up.add(file('a', 1000)) as [string]
    await flush()
    expect(mismatches).toEqual([])
    expect(up.getFile(id)).toMatchObject({ bytesConfirmed: 1000, url: `${endpoint}/1` })
    // Lost on the server while paused: the resume restarts at 0 with a new URL, in the state too.
    const restarted = createTestUploader(fake)({ endpoint, chunkSize: 100 })
    fake.hold = true
    const [id2] = restarted.add(file('b', 1000)) as [string]
    await flush()
    fake.release()
    await flush()
    restarted.pause(id2)
    const paused = restarted.getFile(id2)
    expect(paused?.state).toMatchObject({ status: 'paused', url: `${endpoint}/2` })
    expect(offsetOf(paused!.state)).toBeGreaterThan(0)
    fake.uploads.delete(`${endpoint}/2`)
    fake.hold = false
    const states: unknown[] = []
    restarted.on('upload-restarted', () => states.push(restarted.getFile(id2)?.state))
    restarted.resume(id2)
    await flush()
    expect(states).toEqual([{ status: 'uploading', offset: 0 }])
    expect(restarted.getFile(id2)).toMatchObject({
      status: 'completed',
      bytesConfirmed: 1000,
      url: `${endpoint}/3`,
    })
  })

  it('destroy() aborts everything and leaves no timer behind', async () => {
    vi.useFakeTimers()
    const fake = createFakeTus()
    fake.hold = true
    const up = createTestUploader(fake)({ endpoint, maxConcurrentUploads: 1 })
    up.add([file('a'), file('b')])
    fake.intercept = undefined
    await vi.advanceTimersByTimeAsync(0)
    expect(vi.getTimerCount()).toBeGreaterThan(0) // the stall watchdog of the running PATCH
    await up.destroy()
    expect(vi.getTimerCount()).toBe(0)
    expect(up.getFiles().map((f) => f.status)).toEqual(['paused', 'paused'])
    expect(fake.log.some((r) => r.method === 'DELETE')).toBe(false)
  })

  it('cancel while retrying stops the backoff and deletes the upload', async () => {
    vi.useFakeTimers()
    const fake = createFakeTus()
    fake.intercept = (req) => (req.method === 'PATCH' ? 503 : undefined)
    const up = createTestUploader(fake)({ endpoint, retryDelays: [5000], random: () => 0.5 })
    const [id] = up.add(file('a')) as [string]
    await vi.advanceTimersByTimeAsync(0)
    expect(up.getFile(id)?.status).toBe('retrying')
    await up.cancel(id)
    expect(up.getFile(id)?.status).toBe('canceled')
    expect(fake.log.at(-1)?.method).toBe('DELETE')
    const count = fake.log.length
    await vi.advanceTimersByTimeAsync(10_000)
    expect(fake.log.length).toBe(count)
  })
})

describe('form protocol', () => {
  it('posts once, reports the response, and a resume after pause starts again at 0', async () => {
    const fake = createFakeTus()
    fake.hold = false
    const bodies: string[] = []
    let block = true
    const send = fake.client.send
    fake.client.send = async (req) => {
      if (req.body?.kind !== 'form') return send(req)
      bodies.push(`${req.body.fieldName}:${req.body.filename}:${JSON.stringify(req.body.fields)}`)
      req.onUploadProgress?.(400)
      if (block) {
        await untilAborted(req.signal)
      }
      return { status: 200, header: () => undefined, body: '{"ok":true}' }
    }
    const up = createTestUploader(fake)({ endpoint, protocol: 'form', fieldName: 'upload', data: { k: 'v' } })
    const completed: unknown[] = []
    up.on('completed', (e) => completed.push(e))
    const [id] = up.add(file('a')) as [string]
    await flush(20)
    expect(up.getFile(id)).toMatchObject({ status: 'uploading', bytesSent: 400, bytesConfirmed: 0 })
    up.pause(id)
    expect(up.getFile(id)?.bytesSent).toBe(0)
    block = false
    up.resume(id)
    await flush(50)
    expect(bodies).toEqual(['upload:a:{"k":"v"}', 'upload:a:{"k":"v"}'])
    expect(completed).toEqual([{ id, url: endpoint, response: { status: 200, body: '{"ok":true}' } }])
  })
})
