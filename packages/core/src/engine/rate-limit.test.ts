import type { HttpStatusError } from '@shuttle/protocol'
import { describe, expect, it, vi } from 'vitest'
import type { HttpClient } from '../ports.js'
import { createFakeTus } from '../test-support/fake-tus.js'
import { createTestUploader, file } from '../test-support/uploader.js'

// 429 with Retry-After: the server says "not now, in N seconds". The file waits as asked in
// 'retrying' with waitingFor 'rate-limit' and spends no retry.
function setup(retryAfter: string | undefined, refusals: number) {
  const fake = createFakeTus()
  let left = refusals
  const client: HttpClient = {
    send: (req) => {
      if (req.method === 'POST' && left > 0) {
        left--
        const headers: Record<string, string> = retryAfter ? { 'retry-after': retryAfter } : {}
        return Promise.resolve({
          status: 429,
          header: (n) => headers[n.toLowerCase()],
          body: 'Too many uploads',
        })
      }
      return fake.client.send(req)
    },
  }
  const up = createTestUploader(fake)({
    endpoint: 'http://tus.test/files',
    retryDelays: [], // no retry budget: only a wait that spends nothing can save the file
    network: false,
    httpClient: client,
  })
  return { up, fake }
}

describe('429 Too Many Requests', () => {
  it('with Retry-After: waits as asked (waitingFor rate-limit), spends no retry, then uploads', async () => {
    const { up } = setup('1', 2)
    const [id] = up.add(file('a', 100)) as [string]
    await vi.waitFor(() => expect(up.getFile(id)?.waitingFor).toBe('rate-limit'))
    const f = up.getFile(id)
    expect(f?.status).toBe('retrying')
    expect(f?.attempts).toBe(0)
    expect((f?.error as HttpStatusError | undefined)?.status).toBe(429)
    await vi.waitFor(() => expect(up.getFile(id)?.status).toBe('completed'), { timeout: 5000 })
  })

  it('without Retry-After: an ordinary retryable error that spends the budget', async () => {
    const { up } = setup(undefined, 1)
    const [id] = up.add(file('a', 100)) as [string]
    await vi.waitFor(() => expect(up.getFile(id)?.status).toBe('failed'))
    expect((up.getFile(id)?.error as HttpStatusError | undefined)?.status).toBe(429)
  })
})
