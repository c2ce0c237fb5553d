import { HttpStatusError } from '@shuttle/protocol'
import { describe, expect, it } from 'vitest'
import type { HttpResponse } from '../ports.js'
import { classifyError } from '../retry.js'
import { expectSuccess, statusError } from './http.js'

const response = (status: number, headers: Record<string, string> = {}, body = ''): HttpResponse => ({
  status,
  header: (name) => headers[name.toLowerCase()],
  body,
})

describe('statusError', () => {
  it("carries the server's Retry-After as a field, and the retry policy reads it from there", () => {
    const err = statusError(response(503, { 'retry-after': '7' }, ' busy \n'), 'PATCH', 'http://x/1')
    expect(err).toBeInstanceOf(HttpStatusError)
    expect(err.retryAfter).toBe(7000)
    expect(err.serverMessage).toBe('busy')
    expect(err.message).toBe('PATCH http://x/1 answered 503')
    expect(classifyError(err)).toEqual({ kind: 'retry', error: err, retryAfter: 7000 })
  })

  it('leaves retryAfter undefined without the header, and keeps an explicit code and message', () => {
    const err = statusError(response(460, {}, 'bad sum'), 'PATCH', 'u', {
      code: 'ERR_CHECKSUM_MISMATCH',
      retryable: true,
      serverMessage: 'BadDigest',
    })
    expect(err.retryAfter).toBeUndefined()
    expect(err.code).toBe('ERR_CHECKSUM_MISMATCH')
    expect(err.serverMessage).toBe('BadDigest')
    expect(classifyError(err)).toEqual({ kind: 'retry', error: err })
  })

  it('expectSuccess passes a 2xx through and throws the status error otherwise', () => {
    const ok = response(204)
    expect(expectSuccess(ok, 'DELETE', 'u')).toBe(ok)
    expect(() => expectSuccess(response(500), 'DELETE', 'u')).toThrow('DELETE u answered 500')
  })
})
