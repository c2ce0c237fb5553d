import { describe, expect, it } from 'vitest'
import { createMemoryCheckpointStore } from './checkpoints/memory-store.js'
import { createFakeTus, flush } from './test-support/fake-tus.js'
import { createTestUploader, file } from './test-support/uploader.js'

// The scheduler through the public API, against an in-memory tus server whose PATCHes are held open.

function setup(max = 2, extra: Record<string, unknown> = {}) {
  const fake = createFakeTus()
  fake.hold = true
  const up = createTestUploader(fake)({
    endpoint: 'http://tus.test/files',
    maxConcurrentUploads: max,
    ...extra,
  })
  const started: string[] = []
  up.on('state-change', ({ id, to }) => {
    if (to.status === 'preparing') started.push(id)
  })
  const status = (id: string) => up.getFile(id)?.status
  return { fake, up, started, status }
}

describe('scheduler: a freed slot starts the next queued file', () => {
  it('runs at most maxConcurrentUploads at once', async () => {
    const { up, status, fake } = setup(2)
    const [a, b, c, d] = up.add([file('a'), file('b'), file('c'), file('d')])
    await flush()
    expect([a, b, c, d].map((id) => status(id as string))).toEqual([
      'uploading',
      'uploading',
      'queued',
      'queued',
    ])
    expect(fake.held()).toBe(2)
    await up.destroy()
  })

  it.each([
    ['pause', (up: ReturnType<typeof setup>['up'], id: string) => up.pause(id)],
    ['cancel', (up: ReturnType<typeof setup>['up'], id: string) => void up.cancel(id)],
    ['remove', (up: ReturnType<typeof setup>['up'], id: string) => void up.remove(id)],
  ])('on %s', async (_reason, act) => {
    const { up, status, started } = setup(1)
    const [a, b] = up.add([file('a'), file('b')]) as [string, string]
    await flush()
    expect(status(b)).toBe('queued')
    act(up, a)
    // The next file starts synchronously with the call, before any network round trip.
    expect(started).toEqual([a, b])
    await flush()
    expect(status(b)).toBe('uploading')
    await up.destroy()
  })

  it('on completion', async () => {
    const { up, status, fake } = setup(1)
    const [a, b] = up.add([file('a'), file('b')]) as [string, string]
    await flush()
    fake.release()
    await flush()
    expect(status(a)).toBe('completed')
    expect(status(b)).toBe('uploading')
    await up.destroy()
  })

  it('on failure (non-retryable 4xx)', async () => {
    const { up, status, fake } = setup(1)
    fake.intercept = (req) =>
      req.method === 'POST' && req.headers['Upload-Metadata']?.includes('YQ==') ? 400 : undefined
    const [a, b] = up.add([file('a'), file('b')]) as [string, string]
    await flush(50) // a: OPTIONS, then the failing POST; then b's prepare and OPTIONS-free start
    expect(status(a)).toBe('failed')
    expect(up.getFile(a)?.error?.code).toBe('ERR_HTTP_STATUS')
    expect(status(b)).toBe('uploading')
    await up.destroy()
  })
})

describe('pause / resume / cancel', () => {
  it('a paused file sends nothing until resumed, then continues from the server offset', async () => {
    const { up, status, fake } = setup(1, { chunkSize: 100 })
    const [a] = up.add([file('a', 1000)]) as [string]
    await flush()
    fake.release() // chunk 0-100 confirmed
    await flush()
    up.pause(a)
    const before = fake.log.length
    fake.release()
    await flush()
    expect(status(a)).toBe('paused')
    expect(fake.log.length).toBe(before)
    expect(up.getFile(a)?.bytesConfirmed).toBe(100)
    fake.hold = false
    up.resume(a)
    await flush(200)
    expect(status(a)).toBe('completed')
    const after = fake.log.slice(before)
    expect(after[0]?.method).toBe('HEAD')
    expect(after.filter((r) => r.method === 'POST')).toHaveLength(0)
    expect(after.find((r) => r.method === 'PATCH')?.headers['Upload-Offset']).toBe('100')
    await up.destroy()
  })

  it('cancel sends DELETE for the upload and forgets the checkpoint', async () => {
    const { up, fake, status } = setup(1)
    const [a] = up.add([file('a')]) as [string]
    await flush()
    await up.cancel(a)
    expect(status(a)).toBe('canceled')
    const del = fake.log.find((r) => r.method === 'DELETE')
    expect(del).toBeDefined()
    expect(fake.uploads.get(del?.url ?? '')?.deleted).toBe(true)
    await up.destroy()
  })

  it('cancel forgets the checkpoint before the DELETE goes out (a page closed between the two restores nothing gone)', async () => {
    const checkpointStore = createMemoryCheckpointStore()
    const { up, fake } = setup(1, { checkpointStore })
    const [a] = up.add([file('a')]) as [string]
    await flush()
    expect(await checkpointStore.list?.()).toHaveLength(1)
    let keptAtDelete: unknown[] | undefined
    const seen = fake.intercept
    fake.intercept = (req) => {
      if (req.method === 'DELETE') void checkpointStore.list?.().then((l) => (keptAtDelete = l))
      return seen?.(req)
    }
    await up.cancel(a)
    expect(fake.log.some((r) => r.method === 'DELETE')).toBe(true)
    expect(keptAtDelete).toEqual([])
    await up.destroy()
  })

  it('resume({ first: true }) puts the file ahead of files queued earlier', async () => {
    const { up, started } = setup(1)
    const [a, b, c] = up.add([file('a'), file('b'), file('c')]) as [string, string, string]
    await flush()
    up.pause(a) // b starts
    up.resume(a, { first: true })
    up.pause(b) // a (first) starts, not c
    expect(started).toEqual([a, b, a])
    void c
    await up.destroy()
  })

  it('resume without first goes to the back of the line', async () => {
    const { up, started } = setup(1)
    const [a, b, c] = up.add([file('a'), file('b'), file('c')]) as [string, string, string]
    await flush()
    up.pause(a)
    up.resume(a)
    up.pause(b)
    expect(started).toEqual([a, b, c])
    await up.destroy()
  })
})

describe('ordering', () => {
  it('move changes which queued file starts next', async () => {
    const { up, started, fake } = setup(1)
    const [a, b, c] = up.add([file('a'), file('b'), file('c')]) as [string, string, string]
    await flush()
    up.move(c, 1)
    expect(up.getFiles().map((f) => f.id)).toEqual([a, c, b])
    fake.release()
    await flush()
    expect(started).toEqual([a, c])
    await up.destroy()
  })

  it('autoStart false keeps files idle until start(), in list order', async () => {
    const { up, started, status } = setup(1, { autoStart: false })
    const [a, b] = up.add([file('a'), file('b')]) as [string, string]
    await flush()
    expect(status(a)).toBe('idle')
    up.move(b, 0)
    up.start()
    expect(started).toEqual([b])
    await up.destroy()
  })

  it('setPriority beats queue order', async () => {
    const { up, started } = setup(1)
    const [a, b, c] = up.add([file('a'), file('b'), file('c')]) as [string, string, string]
    up.setPriority(c, 5)
    up.pause(a)
    expect(started).toEqual([a, c])
    void b
    await up.destroy()
  })

  it('emits queue-drained once everything settled', async () => {
    const { up, fake } = setup(2)
    fake.hold = false
    let drained = 0
    up.on('queue-drained', () => drained++)
    up.add([file('a'), file('b'), file('c')])
    await flush(200)
    expect(drained).toBe(1)
    expect(up.getFiles().every((f) => f.status === 'completed' && f.percent === 100)).toBe(true)
    await up.destroy()
  })
})
