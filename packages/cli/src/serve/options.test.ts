import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX_SIZE, parseServeArgs } from './options.js'

const SECRET = 'a-serve-secret-of-at-least-32-bytes!'

describe('parseServeArgs', () => {
  it('has the documented defaults', () => {
    const o = parseServeArgs([], {})
    expect(o).toMatchObject({
      host: '127.0.0.1',
      port: 1080,
      path: '/files/',
      corsOrigins: undefined, // same-origin pages only
      writes: 'auto',
      instantUpload: 'owner',
      quiet: false,
    })
    expect(o.dir).toBe(path.resolve('./uploads'))
    expect(o.maxSize).toBe(DEFAULT_MAX_SIZE)
    expect(DEFAULT_MAX_SIZE).toBe(10 * 1024 ** 3)
    expect(o.expireAfter).toBeUndefined()
    expect(o.trust).toEqual({
      authSecret: undefined,
      quotas: { creations: 1000, windowMs: 60_000, concurrentUploads: 1000 },
      http: { headersTimeout: 15_000, idleTimeout: 60_000, maxConnections: 1000, keepAliveTimeout: 65_000 },
    })
  })

  it('parses every flag', () => {
    const o = parseServeArgs([
      '--host=0.0.0.0',
      '--port',
      '0',
      '--dir',
      '/tmp/x',
      '--path',
      'up',
      '--max-size',
      '2GiB',
      '--cors-origin',
      'https://a.example',
      '--cors-origin',
      'https://b.example',
      '--expire-after',
      '24h',
      '--static',
      'apps/demo/dist',
      '--writes',
      'thread-pool',
      '--instant-upload',
      'global',
      '--quiet',
    ])
    expect(o).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      dir: '/tmp/x',
      path: '/up/',
      maxSize: 2 * 1024 ** 3,
      corsOrigins: ['https://a.example', 'https://b.example'],
      expireAfter: 86_400_000,
      staticDir: path.resolve('apps/demo/dist'),
      writes: 'thread-pool',
      instantUpload: 'global',
      quiet: true,
    })
  })

  it('--demo-tokens: off by default, 10 minutes unless told', () => {
    expect(parseServeArgs([]).demoTokens).toBeUndefined()
    expect(parseServeArgs(['--demo-tokens']).demoTokens).toBe(600)
    expect(parseServeArgs(['--demo-tokens', '--demo-token-expires', '2s']).demoTokens).toBe(2)
  })

  it('parses the trust flags; off and none lift a limit', () => {
    const o = parseServeArgs(
      [
        '--auth-secret',
        SECRET,
        '--rate-limit',
        '10/2s',
        '--max-concurrent',
        'off',
        '--quota',
        '5GiB',
        '--quota-files',
        '100',
        '--headers-timeout',
        '10s',
        '--idle-timeout',
        '2m',
        '--max-connections',
        '50',
        '--max-size',
        'none',
        '--cors-origin',
        '*',
      ],
      {},
    )
    expect(o.maxSize).toBeUndefined()
    expect(o.corsOrigins).toBe('*')
    expect(o.trust).toEqual({
      authSecret: SECRET,
      quotas: { creations: 10, windowMs: 2000, storedBytes: 5 * 1024 ** 3, storedFiles: 100 },
      http: { headersTimeout: 10_000, idleTimeout: 120_000, maxConnections: 50, keepAliveTimeout: 65_000 },
    })
    expect(parseServeArgs(['--rate-limit', 'off'], {}).trust.quotas.creations).toBeUndefined()
    expect(parseServeArgs(['--rate-limit', '30'], {}).trust.quotas).toMatchObject({
      creations: 30,
      windowMs: 60_000,
    })
  })

  it('reads the secret from SHUTTLE_AUTH_SECRET or a file, so it stays out of ps', () => {
    expect(parseServeArgs([], { SHUTTLE_AUTH_SECRET: SECRET }).trust.authSecret).toBe(SECRET)
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shuttle-secret-'))
    try {
      const file = path.join(dir, 'secret')
      writeFileSync(file, `${SECRET}\n`)
      expect(parseServeArgs(['--auth-secret-file', file], {}).trust.authSecret).toBe(SECRET)
      expect(() => parseServeArgs(['--auth-secret-file', file, '--auth-secret', SECRET], {})).toThrow(
        /pass one of them/,
      )
      expect(() => parseServeArgs(['--auth-secret-file', path.join(dir, 'nope')], {})).toThrow(
        /--auth-secret-file: cannot read .*ENOENT/,
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it.each([
    [['--auth-secret', 'short'], /--auth-secret: the secret must be at least 32 bytes/],
    [['--rate-limit', 'many'], /--rate-limit/],
    [['--rate-limit', '0/1m'], /--rate-limit/],
    [['--max-concurrent', '-1'], /--max-concurrent/],
    [['--quota', 'lots'], /--quota/],
    [['--headers-timeout', 'soon'], /--headers-timeout/],
    [['--max-connections', 'off'], /--max-connections/],
    [['--port', 'http'], /--port/],
    [['--port', '70000'], /--port/],
    [['--max-size', 'lots'], /--max-size/],
    [['--expire-after', 'soon'], /--expire-after/],
    [['--writes', 'later'], /--writes/],
    [['--instant-upload', 'everyone'], /--instant-upload/],
    [['--demo-token-expires', '2s'], /needs --demo-tokens/],
    [['--demo-tokens', '--demo-token-expires', '10ms'], /at least 1s/],
    [['--demo-tokens', '--auth-secret', SECRET], /drop it when you pass --auth-secret/],
    [['--bogus'], /bogus/],
    [['extra'], /extra|positional/i],
  ])('rejects %j with a message naming the flag', (argv, message) => {
    expect(() => parseServeArgs(argv)).toThrow(message)
  })
})
