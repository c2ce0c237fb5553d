import { describe, expect, it } from 'vitest'
import { parseUploadArgs } from './options.js'

const base = ['file.bin', '--endpoint', 'http://127.0.0.1:1080/files/']

describe('parseUploadArgs: credentials', () => {
  it('--token becomes a Bearer Authorization header, beside other -H headers', () => {
    const o = parseUploadArgs([...base, '--token', 'aaa.bbb.ccc', '-H', 'X-Trace: 1'], {})
    expect(o.headers).toEqual({ Authorization: 'Bearer aaa.bbb.ccc', 'X-Trace': '1' })
  })

  it('SHUTTLE_TOKEN is the default token; an explicit -H Authorization wins over it', () => {
    expect(parseUploadArgs(base, { SHUTTLE_TOKEN: 'env.tok.en' }).headers).toEqual({
      Authorization: 'Bearer env.tok.en',
    })
    expect(
      parseUploadArgs([...base, '-H', 'Authorization: Basic dTpw'], { SHUTTLE_TOKEN: 'env.tok.en' }).headers,
    ).toEqual({ Authorization: 'Basic dTpw' })
    expect(parseUploadArgs([...base, '-t', 'flag.tok.en'], { SHUTTLE_TOKEN: 'env.tok.en' }).headers).toEqual({
      Authorization: 'Bearer flag.tok.en',
    })
  })

  it.each([
    [['--token', 'a.b.c', '-H', 'authorization: Bearer x'], /either --token or -H/],
    [['--token', ''], /the token is empty/],
    [['--token', 'not a token'], /not a token/],
    [['-H', 'no colon'], /is not "Name: value"/],
  ])('%j is a usage error', (extra, message) => {
    expect(() => parseUploadArgs([...base, ...extra], {})).toThrow(message)
  })
})
