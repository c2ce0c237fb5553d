import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseTokenArgs } from './options.js'

const SECRET = 'x'.repeat(32)
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'token-options-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

describe('parseTokenArgs', () => {
  it('reads the subject, lifetime and every limit', () => {
    const o = parseTokenArgs([
      '--secret',
      SECRET,
      '--sub',
      'alice',
      '--expires',
      '10m',
      '--max-file-size',
      '2GiB',
      '--max-total',
      '10GB',
      '--types',
      'image/*, .pdf',
      '--max-files',
      '5',
    ])
    expect(o.secret).toBe(SECRET)
    expect(o.token).toEqual({
      sub: 'alice',
      expiresIn: 600,
      maxFileSize: 2 * 1024 ** 3,
      maxTotalBytes: 10 * 1000 ** 3,
      types: ['image/*', '.pdf'],
      maxFiles: 5,
    })
  })

  it('takes the secret from --secret, then --secret-file, then SHUTTLE_AUTH_SECRET', async () => {
    const file = path.join(dir, 'secret')
    await writeFile(file, `${'f'.repeat(40)}\n`)
    const env = { SHUTTLE_AUTH_SECRET: 'e'.repeat(32) }
    expect(parseTokenArgs(['--sub', 'a'], env).secret).toBe(env.SHUTTLE_AUTH_SECRET)
    expect(parseTokenArgs(['--sub', 'a', '--secret-file', file], env).secret).toBe('f'.repeat(40))
    expect(parseTokenArgs(['--sub', 'a', '--secret', SECRET, '--secret-file', file], env).secret).toBe(SECRET)
    expect(parseTokenArgs(['--sub', 'a'], env).token.expiresIn).toBe(3600)
  })

  it.each([
    [['--sub', 'a'], /a secret is required/],
    [['--sub', 'a', '--secret', 'short'], /at least 32 bytes/],
    [['--sub', 'a', '--secret-file', '/nonexistent/secret'], /cannot read/],
    [['--secret', SECRET], /--sub ID is required/],
    [['--secret', SECRET, '--sub', 'a', '--expires', '500ms'], /at least 1s/],
    [['--secret', SECRET, '--sub', 'a', '--types', 'images'], /not a MIME type/],
    [['--secret', SECRET, '--sub', 'a', '--max-files', '0'], /whole number/],
    [['--secret', SECRET, '--sub', 'a', '--max-file-size', 'big'], /not a size/],
    [['--secret', SECRET, '--sub', 'a', '--bogus'], /Unknown option/],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(() => parseTokenArgs(argv, {})).toThrow(message)
  })
})
