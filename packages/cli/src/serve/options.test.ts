import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseServeArgs } from './options.js'

describe('parseServeArgs', () => {
  it('has the documented defaults', () => {
    const o = parseServeArgs([])
    expect(o).toMatchObject({
      host: '127.0.0.1',
      port: 1080,
      path: '/files/',
      corsOrigins: '*',
      writes: 'auto',
      quiet: false,
    })
    expect(o.dir).toBe(path.resolve('./uploads'))
    expect(o.maxSize).toBeUndefined()
    expect(o.expireAfter).toBeUndefined()
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
      quiet: true,
    })
  })

  it('--demo-tokens: off by default, 10 minutes unless told', () => {
    expect(parseServeArgs([]).demoTokens).toBeUndefined()
    expect(parseServeArgs(['--demo-tokens']).demoTokens).toBe(600)
    expect(parseServeArgs(['--demo-tokens', '--demo-token-expires', '2s']).demoTokens).toBe(2)
  })

  it.each([
    [['--port', 'http'], /--port/],
    [['--port', '70000'], /--port/],
    [['--max-size', 'lots'], /--max-size/],
    [['--expire-after', 'soon'], /--expire-after/],
    [['--writes', 'later'], /--writes/],
    [['--demo-token-expires', '2s'], /needs --demo-tokens/],
    [['--demo-tokens', '--demo-token-expires', '10ms'], /at least 1s/],
    [['--bogus'], /bogus/],
    [['extra'], /extra|positional/i],
  ])('rejects %j with a message naming the flag', (argv, message) => {
    expect(() => parseServeArgs(argv)).toThrow(message)
  })
})
