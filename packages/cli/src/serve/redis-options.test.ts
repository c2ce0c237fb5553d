import { isUploadError } from '@shuttle/protocol'
import { describe, expect, it } from 'vitest'
import { parseServeArgs } from './options.js'

describe('shuttle serve --redis', () => {
  it('is off by default and takes redis:// or rediss:// URLs', () => {
    expect(parseServeArgs([]).redis).toBeUndefined()
    expect(parseServeArgs(['--redis', 'redis://127.0.0.1:6379']).redis).toBe('redis://127.0.0.1:6379')
    expect(parseServeArgs(['--redis=rediss://user:pw@cache.example:6380/2']).redis).toBe(
      'rediss://user:pw@cache.example:6380/2',
    )
  })

  it.each(['127.0.0.1:6379', 'http://127.0.0.1:6379', ''])('refuses %j, saying how to write it', (value) => {
    let caught: unknown
    try {
      parseServeArgs(['--redis', value])
    } catch (err) {
      caught = err
    }
    expect(isUploadError(caught) && caught.code).toBe('ERR_INVALID_OPTIONS')
    expect((caught as Error).message).toMatch(
      /--redis: .* is not a Redis URL; write it as redis:\/\/host:port/,
    )
  })
})
