import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import express from 'express'
import Fastify from 'fastify'
import Koa from 'koa'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTusServer, type TusServer } from '../src/index.js'
import { jsUpload } from './helpers/js-client.js'
import { MIB, sha256Url, writeRandomFile } from './helpers/random-file.js'

// The handler mounted in the frameworks people use; each must pass bytes through untouched.

let dir: string
let source: { path: string; sha256: string }

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-mount-'))
  const file = path.join(dir, 'source.bin')
  source = { path: file, sha256: await writeRandomFile(file, MIB) }
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

function newTus(name: string): TusServer {
  return createTusServer({ path: '/files/', directory: path.join(dir, name) })
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function close(server: http.Server): Promise<void> {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}

async function expectUploadWorks(base: string): Promise<void> {
  const url = await jsUpload(source.path, {
    endpoint: `${base}/files/`,
    chunkSize: 256 * 1024,
    metadata: { filename: 'source.bin' },
  })
  expect(url).toMatch(new RegExp(`^${base}/files/[A-Za-z0-9_-]{24}$`))
  expect(await sha256Url(url)).toMatchObject({ status: 200, sha256: source.sha256, length: MIB })
  const withData = await jsUpload(source.path, { endpoint: `${base}/files/`, uploadDataDuringCreation: true })
  expect((await sha256Url(withData)).sha256).toBe(source.sha256)
}

describe('mounting', () => {
  it('works in Express 5 under app.use (originalUrl keeps the prefix)', async () => {
    const tus = newTus('express')
    const app = express()
    app.use('/files', (req, res, next) => tus.handle(req, res, next))
    app.get('/health', (_req, res) => {
      res.send('ok')
    })
    const server = http.createServer(app)
    const base = await listen(server)
    try {
      await expectUploadWorks(base)
      expect(await (await fetch(`${base}/health`)).text()).toBe('ok')
    } finally {
      await close(server)
      await tus.close()
    }
  })

  it('works in Fastify 4 with a pass-through content-type parser and reply.hijack()', async () => {
    const tus = newTus('fastify')
    const app = Fastify()
    app.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null))
    const handler = (
      req: { raw: http.IncomingMessage },
      reply: { hijack(): void; raw: http.ServerResponse },
    ) => {
      reply.hijack()
      tus.handle(req.raw, reply.raw)
    }
    app.all('/files', handler)
    app.all('/files/*', handler)
    await app.listen({ port: 0, host: '127.0.0.1' })
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    try {
      await expectUploadWorks(base)
    } finally {
      app.server.closeAllConnections()
      await app.close()
      await tus.close()
    }
  })

  it('works in Koa 3 with ctx.respond = false', async () => {
    const tus = newTus('koa')
    const app = new Koa()
    app.use(async (ctx, next) => {
      if (ctx.path !== '/files' && !ctx.path.startsWith('/files/')) return next()
      ctx.respond = false
      tus.handle(ctx.req, ctx.res)
    })
    const server = http.createServer(app.callback())
    const base = await listen(server)
    try {
      await expectUploadWorks(base)
    } finally {
      await close(server)
      await tus.close()
    }
  })
})
