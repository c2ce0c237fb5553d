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

  it('--token-command leaves the Authorization header to the command, even with SHUTTLE_TOKEN set', () => {
    const o = parseUploadArgs([...base, '--token-command', 'get-token'], { SHUTTLE_TOKEN: 'env.tok.en' })
    expect(o.tokenCommand).toBe('get-token')
    expect(o.headers).toEqual({})
  })

  it.each([
    [['--token', 'a.b.c', '-H', 'authorization: Bearer x'], /either --token or -H/],
    [['--token', ''], /the token is empty/],
    [['--token', 'not a token'], /not a token/],
    [['-H', 'no colon'], /is not "Name: value"/],
    [['--token', 'a.b.c', '--token-command', 'get-token'], /either --token or --token-command/],
    [['--token-command', 'get-token', '-H', 'Authorization: Basic x'], /either --token-command or -H/],
    [['--token-command', ' '], /the command is empty/],
  ])('%j is a usage error', (extra, message) => {
    expect(() => parseUploadArgs([...base, ...extra], {})).toThrow(message)
  })
})
