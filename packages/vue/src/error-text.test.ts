import { HttpStatusError, NetworkError, UploadError } from '@shuttle/protocol'
import { describe, expect, it } from 'vitest'
import { describeError, peopleMessage } from './error-text.js'
import { en, type LocaleMessages, zhCn } from './locale/index.js'

const tOf = (m: LocaleMessages) => (key: keyof LocaleMessages) => m[key]

describe('describeError', () => {
  const cases: Array<[string, unknown, keyof LocaleMessages]> = [
    ['401', new HttpStatusError(401, 'POST', 'u'), 'errorUnauthorized'],
    ['auth expired', new UploadError('ERR_AUTH_EXPIRED', 'x'), 'errorUnauthorized'],
    ['403', new HttpStatusError(403, 'POST', 'u', { serverMessage: 'Quota exceeded' }), 'errorForbidden'],
    ['413', new HttpStatusError(413, 'POST', 'u'), 'errorTooLarge'],
    ['429', new HttpStatusError(429, 'POST', 'u'), 'errorRateLimited'],
    ['500', new HttpStatusError(500, 'PATCH', 'u'), 'errorServer'],
    ['503', new HttpStatusError(503, 'PATCH', 'u'), 'errorUnavailable'],
    ['network', new NetworkError('HEAD u failed'), 'errorNetwork'],
    ['blocked', new UploadError('ERR_BLOCKED', 'x'), 'errorBlocked'],
    ['unknown', new Error('boom'), 'errorGeneric'],
  ]
  it.each(cases)('%s → its sentence in en and zh-CN', (_, error, key) => {
    expect(describeError(error, tOf(en)).sentence).toBe(en[key])
    expect(describeError(error, tOf(zhCn)).sentence).toBe(zhCn[key])
    expect(zhCn[key]).not.toBe(en[key])
  })

  it("shows the server's text body when it is meant for people, and keeps the technical detail", () => {
    const e = new HttpStatusError(403, 'POST', 'http://h/files/', {
      serverMessage: 'Quota exceeded for this account',
    })
    const d = describeError(e, tOf(en))
    expect(d.server).toBe('Quota exceeded for this account')
    expect(d.detail).toBe('ERR_HTTP_STATUS · HTTP 403 · POST http://h/files/ answered 403')
  })

  it('reads the HTTP answer an engine error wraps (ERR_FORBIDDEN, ERR_AUTH_EXPIRED carry it as cause)', () => {
    const answer = new HttpStatusError(403, 'POST', 'http://h/files/', {
      serverMessage: 'Quota exceeded for this account',
    })
    const refusal = new UploadError('ERR_FORBIDDEN', 'Quota exceeded for this account', { cause: answer })
    const d = describeError(refusal, tOf(en))
    expect(d.sentence).toBe(en.errorForbidden)
    expect(d.server).toBe('Quota exceeded for this account')
    expect(d.detail).toBe(
      'ERR_FORBIDDEN · HTTP 403 · Quota exceeded for this account · POST http://h/files/ answered 403',
    )
    const expired = new UploadError('ERR_AUTH_EXPIRED', 'Still unauthorized', {
      cause: new HttpStatusError(401, 'PATCH', 'http://h/files/1'),
    })
    expect(describeError(expired, tOf(en)).detail).toContain('HTTP 401')
  })

  it.each([
    ['<html><body>502 Bad Gateway</body></html>', undefined],
    ['{"message":"Upload quota reached"}', 'Upload quota reached'],
    ['{"code":17}', undefined],
    ['TypeError: x is undefined\n    at foo (a.js:1)', undefined],
    ['x'.repeat(301), undefined],
    ['Quota exceeded for this account', 'Quota exceeded for this account'],
    ['上传配额已用完', '上传配额已用完'],
    ['Unauthorized', undefined],
    ['503 Service Unavailable', undefined],
  ])('peopleMessage(%j) → %j', (body, shown) => {
    expect(peopleMessage(body)).toBe(shown)
  })
})
