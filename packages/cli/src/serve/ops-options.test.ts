import { describe, expect, it } from 'vitest'
import { parseServeArgs } from './options.js'

describe('shuttle serve operations flags', () => {
  it('no /metrics and a 10 s shutdown by default', () => {
    expect(parseServeArgs([], {}).ops).toEqual({ metrics: undefined, shutdownTimeout: 10_000 })
  })

  it('--metrics, with the token from the environment, and --shutdown-timeout', () => {
    expect(parseServeArgs(['--metrics', '--shutdown-timeout', '30s'], {}).ops).toEqual({
      metrics: { token: undefined },
      shutdownTimeout: 30_000,
    })
    expect(parseServeArgs(['--metrics'], { SHUTTLE_METRICS_TOKEN: 'scrape-me' }).ops.metrics).toEqual({
      token: 'scrape-me',
    })
  })

  it('refuses a metrics token without --metrics and a shutdown shorter than 100 ms, saying so', () => {
    expect(() => parseServeArgs([], { SHUTTLE_METRICS_TOKEN: 'x' })).toThrow(
      'SHUTTLE_METRICS_TOKEN is set but --metrics is not; add --metrics',
    )
    expect(() => parseServeArgs(['--shutdown-timeout', '50ms'], {})).toThrow(
      '--shutdown-timeout must be at least 100ms',
    )
    expect(() => parseServeArgs(['--shutdown-timeout', 'soon'], {})).toThrow(/--shutdown-timeout: "soon"/)
  })
})
