import { describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick } from 'vue'
import { engines, fakeCreateUploader, lastEngine, makeFile } from './testing/helpers.js'
import { absoluteEndpoint, computeTotals, useUploader } from './use-uploader.js'

// Only the engine is faked; core's pure helpers (computeTotals…) stay real.
vi.mock('@shuttle/core', async (importOriginal) => ({
  ...(await importOriginal<object>()),
  createUploader: (await import('./testing/helpers.js')).fakeCreateUploader,
}))
void fakeCreateUploader

describe('useUploader', () => {
  it('creates the engine lazily with the options, on first use', () => {
    const before = engines.length
    const scope = effectScope()
    const u = scope.run(() => useUploader({ endpoint: '/files/', chunkSize: 1024 }))!
    expect(engines.length).toBe(before)
    u.add(makeFile('a.txt'))
    expect(engines.length).toBe(before + 1)
    expect(lastEngine().options).toMatchObject({ endpoint: absoluteEndpoint('/files/'), chunkSize: 1024 })
    scope.stop()
    expect(lastEngine().destroyed).toBe(true)
  })

  it('keeps a reactive file list and derived totals in step with engine events', async () => {
    const scope = effectScope()
    const u = scope.run(() => useUploader({ endpoint: '/files/' }))!
    const [a, b] = u.add([makeFile('a', 100), makeFile('b', 300)])
    const e = lastEngine()
    expect(u.files.value.map((f) => f.status)).toEqual(['queued', 'queued'])
    e.progress(a!, 50, 200)
    e.progress(b!, 150, 100)
    await nextTick()
    expect(u.totals.value).toMatchObject({
      bytesTotal: 400,
      bytesSent: 200,
      percent: 50,
      speed: 300,
      active: 2,
    })
    expect(u.totals.value.eta).toBeCloseTo(200 / 300)
    u.pause(a!)
    expect(u.files.value[0]?.status).toBe('paused')
    expect(u.totals.value.paused).toBe(1)
    u.resume(a!)
    e.complete(a!)
    e.fail(b!)
    expect(u.totals.value).toMatchObject({ completed: 1, failed: 1 })
    u.move(b!, 0)
    expect(u.files.value.map((f) => f.id)).toEqual([b, a])
    u.retry(b!)
    await u.cancel(b!)
    expect(u.files.value[0]?.status).toBe('canceled')
    await u.remove(b!)
    expect(u.files.value).toHaveLength(1)
    scope.stop()
  })

  it('never destroys an injected engine and forwards on() subscriptions', async () => {
    const { FakeEngine } = await import('./testing/fake-engine.js')
    const engine = new FakeEngine()
    const scope = effectScope()
    const seen: string[] = []
    const u = scope.run(() => {
      const r = useUploader({ endpoint: 'x', uploader: engine })
      r.on('completed', (p) => seen.push(p.id))
      return r
    })!
    const [id] = u.add(makeFile('a'))
    engine.complete(id!)
    u.pauseAll()
    u.resumeAll()
    await u.cancelAll()
    expect(seen).toEqual([id])
    scope.stop()
    expect(engine.destroyed).toBe(false)
  })

  it('totals ignore canceled files', () => {
    const t = computeTotals([
      {
        id: '1',
        name: 'a',
        size: 10,
        type: '',
        metadata: {},
        state: { status: 'canceled' },
        status: 'canceled',
        bytesConfirmed: 5,
        bytesSent: 5,
        percent: 50,
        speed: 0,
        eta: null,
        attempts: 0,
      },
    ])
    expect(t.bytesTotal).toBe(0)
    expect(t.eta).toBeNull()
  })
})

describe('absoluteEndpoint', () => {
  it('resolves a same-origin path against the page and leaves absolute URLs alone', () => {
    expect(absoluteEndpoint('/files/')).toBe(new URL('/files/', window.location.href).href)
    expect(absoluteEndpoint('https://up.example.com/files/')).toBe('https://up.example.com/files/')
  })
})
