import { describe, expect, it } from 'vitest'
import { HttpStatusError, isUploadError, NetworkError, TusError, UploadError } from './errors.js'

describe('errors', () => {
  it('carries code, cause and retryable', () => {
    const cause = new Error('boom')
    const e = new UploadError('ERR_SOURCE_READ', 'read failed', { cause })
    expect(e.code).toBe('ERR_SOURCE_READ')
    expect(e.cause).toBe(cause)
    expect(e.retryable).toBe(false)
    expect(e).toBeInstanceOf(Error)
    expect(isUploadError(e)).toBe(true)
    expect(isUploadError(new Error('x'))).toBe(false)
    expect(isUploadError(null)).toBe(false)
  })

  it('subclasses keep instanceof and derive retryable from status', () => {
    expect(new HttpStatusError(503, 'PATCH', '/f/1').retryable).toBe(true)
    expect(new HttpStatusError(423, 'PATCH', '/f/1').retryable).toBe(true)
    expect(new HttpStatusError(400, 'PATCH', '/f/1').retryable).toBe(false)
    const t = new TusError('ERR_NOT_FOUND', 404, 'Upload not found')
    expect(t).toBeInstanceOf(UploadError)
    expect(t).toBeInstanceOf(TusError)
    expect(t).not.toBeInstanceOf(HttpStatusError)
    expect(new NetworkError('reset').retryable).toBe(true)
  })

  it('recognises errors branded by another copy of the package', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('shuttle.upload.error')]: true,
      code: 'ERR_NETWORK',
    })
    expect(foreign instanceof UploadError).toBe(true)
    expect(isUploadError(foreign)).toBe(true)
  })

  it('does not put the response body in the message', () => {
    const e = new HttpStatusError(500, 'POST', '/files/', { serverMessage: 'secret internals' })
    expect(e.message).toBe('POST /files/ answered 500')
    expect(e.serverMessage).toBe('secret internals')
  })
})
