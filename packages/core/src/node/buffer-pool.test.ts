import { createHash } from 'node:crypto'
import { readdirSync, readlinkSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createBufferPool } from './buffer-pool.js'
import { createNodeHttpClient } from './node-http-client.js'
import { openPathSource } from './path-source.js'

describe('createBufferPool', () => {
  it('hands a buffer out again only after it was given back, and keeps at most `keep`', () => {
    const pool = createBufferPool(16, 2)
    const a = pool.take()
    const b = pool.take()
    expect(a.buffer).not.toBe(b.buffer)
    pool.give(a.subarray(0, 3))
    pool.give(a) // twice: kept once
    expect(pool.take().buffer).toBe(a.buffer)
    const c = pool.take()
    expect([a.buffer, b.buffer]).not.toContain(c.buffer)
    pool.give(b)
    pool.give(c)
    pool.give(Buffer.alloc(16)) // a third one: over `keep`, dropped
    expect(new Set([pool.take().buffer, pool.take().buffer])).toEqual(new Set([c.buffer, b.buffer]))
    pool.give(Buffer.alloc(8)) // wrong size: never kept
    expect(pool.take().byteLength).toBe(16)
  })
})

describe('pooled file bodies', () => {
  it('never overwrite bytes the socket has not flushed: a slow reader gets every byte of 24 MiB', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shuttle-pool-'))
    // Every 64 KiB block differs, so a recycled buffer overwritten too early changes the hash.
    const data = Buffer.alloc(24 * 1024 * 1024 + 3)
    for (let i = 0; i < data.length; i += 4)
      data.writeUInt32LE((i * 2654435761) >>> 0, Math.min(i, data.length - 4))
    const file = join(dir, 'data.bin')
    await writeFile(file, data)
    const received = createHash('sha256')
    let bytes = 0
    const server = http.createServer((req, res) => {
      // Backpressure: read in bursts with pauses, so buffers sit in the client's socket queue.
      req.on('data', (c: Buffer) => {
        if (req.url === '/') received.update(c)
        bytes += c.length
        req.pause()
        setTimeout(() => req.resume(), 1)
      })
      req.on('end', () => res.writeHead(204).end())
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const client = createNodeHttpClient()
    const source = await openPathSource(file, { name: 'data.bin', type: '' })
    // Descriptors of this process open on `file`.
    const openOnFile = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === file
        } catch {
          return false
        }
      }).length
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
      for (const [start, end] of [
        [0, 8 * 1024 * 1024],
        [8 * 1024 * 1024, data.length],
      ] as const) {
        const res = await client.send({
          method: 'PATCH',
          url,
          headers: {},
          body: { kind: 'range', source, start, end },
          signal: new AbortController().signal,
        })
        expect(res.status).toBe(204)
      }
      expect(bytes).toBe(data.length)
      expect(received.copy().digest('hex')).toBe(createHash('sha256').update(data).digest('hex'))
      // Each body opens the file and closes it when done, also when the request is aborted midway.
      expect(openOnFile()).toBe(0)
      const abort = new AbortController()
      setTimeout(() => abort.abort(), 30)
      const cut = client.send({
        method: 'PATCH',
        url: `${url}cut`,
        headers: {},
        body: { kind: 'range', source, start: 0, end: data.length },
        signal: abort.signal,
      })
      await expect(cut).rejects.toMatchObject({ code: 'ERR_ABORTED' })
      await new Promise((r) => setTimeout(r, 50))
      expect(openOnFile()).toBe(0)
    } finally {
      await source.close()
      client.close?.()
      server.closeAllConnections()
      server.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
