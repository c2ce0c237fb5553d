import { HttpStatusError, NetworkError, UploadError } from '@shuttle/protocol'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { classifyError, parseRetryAfter, retryDelay } from './retry.js'
import { createFakeTus, flush } from './test-support/fake-tus.js'
import { createTestUploader, file } from './test-support/uploader.js'

describe('retry policy', () => {
  it.each([
    [new NetworkError('reset'), 'retry'],
    [new HttpStatusError(500, 'PATCH', 'u'), 'retry'],
    [new HttpStatusError(503, 'PATCH', 'u'), 'retry'],
    [new HttpStatusError(423, 'PATCH', 'u'), 'retry'],
    [new HttpStatusError(429, 'PATCH', 'u'), 'retry'],
    [new UploadError('ERR_STALLED', 'stall', { retryable: true }), 'retry'],
    [new HttpStatusError(400, 'POST', 'u'), 'fatal'],
    [new HttpStatusError(413, 'POST', 'u'), 'fatal'],
    [new HttpStatusError(460, 'PATCH', 'u'), 'fatal'],
    [new HttpStatusError(401, 'PATCH', 'u'), 'auth'],
    [new HttpStatusError(403, 'PATCH', 'u'), 'auth'],
    [new UploadError('ERR_ABORTED', 'x'), 'aborted'],
    [new Error('plain'), 'fatal'],
  ])('%s → %s', (err, kind) => {
    expect(classifyError(err).kind).toBe(kind)
  })

  it('uses the configured delays with ±20 % jitter and stops when they run out', () => {
    const delays = [0, 1000, 3000]
    expect(retryDelay(delays, 1, () => 0.5)).toBe(0)
    expect(retryDelay(delays, 2, () => 0.5)).toBe(1000)
    expect(retryDelay(delays, 2, () => 0)).toBe(800)
    expect(retryDelay(delays, 3, () => 0.999)).toBeCloseTo(3600, -1)
    expect(retryDelay(delays, 4, () => 0.5)).toBeUndefined()
  })

  it('honours Retry-After as a floor', () => {
    expect(retryDelay([100], 1, () => 0.5, 2000)).toBe(2000)
    expect(parseRetryAfter('3', 0)).toBe(3000)
    expect(parseRetryAfter('nonsense', 0)).toBeUndefined()
  })
})

describe('retries in the engine (fake timers)', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  const setup = (opts: Record<string, unknown> = {}) => {
    const fake = createFakeTus()
    const up = createTestUploader(fake)({
      endpoint: 'http://tus.test/files',
      retryDelays: [0, 1000, 3000],
      random: () => 0.5,
      ...opts,
    })
    const retries: Array<{ attempt: number; delay: number; code: string }> = []
    up.on('retry', ({ attempt, delay, error }) => retries.push({ attempt, delay, code: error.code }))
    return { fake, up, retries }
  }

  it('backs off on 5xx, then resumes with HEAD from the confirmed offset', async () => {
    const { fake, up, retries } = setup({ chunkSize: 100 })
    let patches = 0
    fake.intercept = (req) => (req.method === 'PATCH' && ++patches === 3 ? 503 : undefined)
    const [id] = up.add(file('a', 300)) as [string]
    await vi.advanceTimersByTimeAsync(0)
    expect(retries).toEqual([{ attempt: 1, delay: 0, code: 'ERR_HTTP_STATUS' }])
    await vi.advanceTimersByTimeAsync(10)
    await flush()
    expect(up.getFile(id)?.status).toBe('completed')
    const methods = fake.log.map((r) => r.method)
    expect(methods).toEqual(['OPTIONS', 'POST', 'PATCH', 'PATCH', 'PATCH', 'HEAD', 'PATCH'])
    expect(fake.log.at(-1)?.headers['Upload-Offset']).toBe('200')
  })

  it('fails with the last error once retryDelays are spent', async () => {
    const { fake, up, retries } = setup()
    fake.intercept = (req) => (req.method === 'PATCH' ? 500 : undefined)
    const [id] = up.add(file('a')) as [string]
    await vi.advanceTimersByTimeAsync(0)
    expect(up.getFile(id)?.status).toBe('retrying')
    await vi.advanceTimersByTimeAsync(999)
    expect(retries.map((r) => r.attempt)).toEqual([1, 2])
    await vi.advanceTimersByTimeAsync(1 + 3000)
    expect(retries.map((r) => r.delay)).toEqual([0, 1000, 3000])
    const f = up.getFile(id)
    expect(f?.status).toBe('failed')
    expect(f?.error).toBeInstanceOf(HttpStatusError)
    expect(f?.error).toMatchObject({ serverMessage: 'scripted 500' })
  })

  it('does not retry a 4xx', async () => {
    const { fake, up, retries } = setup()
    fake.intercept = (req) => (req.method === 'PATCH' ? 400 : undefined)
    const [id] = up.add(file('a')) as [string]
    await vi.advanceTimersByTimeAsync(0)
    expect(retries).toEqual([])
    expect(up.getFile(id)?.error).toMatchObject({ status: 400 })
  })

  it('progress resets the attempt budget', async () => {
    const { fake, up, retries } = setup({ chunkSize: 100, retryDelays: [0] })
    let patches = 0
    // Every second PATCH fails: with the reset, one retry per failure is always enough.
    fake.intercept = (req) => (req.method === 'PATCH' && ++patches % 2 === 0 ? 500 : undefined)
    const [id] = up.add(file('a', 500)) as [string]
    await vi.advanceTimersByTimeAsync(100)
    expect(up.getFile(id)?.status).toBe('completed')
    expect(retries.length).toBeGreaterThanOrEqual(4)
    expect(retries.every((r) => r.attempt === 1)).toBe(true)
  })

  it('a stalled request is aborted and retried (ERR_STALLED)', async () => {
    const { fake, up, retries } = setup({ stallTimeout: 5000 })
    fake.hold = true
    const [id] = up.add(file('a')) as [string]
    await vi.advanceTimersByTimeAsync(4999)
    expect(retries).toEqual([])
    fake.hold = false
    await vi.advanceTimersByTimeAsync(2)
    expect(retries[0]?.code).toBe('ERR_STALLED')
    await vi.advanceTimersByTimeAsync(10)
    expect(up.getFile(id)?.status).toBe('completed')
  })

  it('pause during a backoff cancels the timer; nothing is sent until resume', async () => {
    const { fake, up } = setup()
    fake.intercept = (req) => (req.method === 'PATCH' ? 500 : undefined)
    const [id] = up.add(file('a')) as [string]
    await vi.advanceTimersByTimeAsync(0)
    await vi.advanceTimersByTimeAsync(10) // retry 1 (delay 0) ran, now waiting 1000
    expect(up.getFile(id)?.status).toBe('retrying')
    up.pause(id)
    const sent = fake.log.length
    await vi.advanceTimersByTimeAsync(10_000)
    expect(fake.log.length).toBe(sent)
    expect(up.getFile(id)?.status).toBe('paused')
  })
})
