import { describe, expect, it } from 'vitest'
import { createHttpServer, DEFAULT_HTTP_LIMITS, httpServerOptions } from './http-limits.js'

describe('HTTP limits', () => {
  it('defaults: headers within 15 s checked every second, no total request timeout, idle 60 s, 1000 connections', () => {
    expect(httpServerOptions()).toEqual({
      requestTimeout: 0,
      headersTimeout: 15_000,
      keepAliveTimeout: 65_000,
      connectionsCheckingInterval: 1000,
    })
    const server = createHttpServer(() => {})
    expect(server.headersTimeout).toBe(15_000)
    expect(server.requestTimeout).toBe(0)
    expect(server.timeout).toBe(DEFAULT_HTTP_LIMITS.idleTimeout)
    expect(server.maxConnections).toBe(1000)
  })

  it('takes other values and refuses nonsense', () => {
    const server = createHttpServer(() => {}, { headersTimeout: 2000, idleTimeout: 5000, maxConnections: 3 })
    expect([server.headersTimeout, server.timeout, server.maxConnections]).toEqual([2000, 5000, 3])
    expect(httpServerOptions({ headersTimeout: 2000 }).connectionsCheckingInterval).toBe(500)
    expect(() => httpServerOptions({ headersTimeout: 0 })).toThrow(/headersTimeout/)
  })
})
