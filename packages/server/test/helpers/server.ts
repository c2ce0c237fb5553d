import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { createHttpServer, createTusServer, type HttpLimits } from '@shuttle/server'

export type TusServerOptions = Parameters<typeof createTusServer>[0]
export type TusServer = ReturnType<typeof createTusServer>

/** A fresh directory under the OS temp dir; remove it with `removeTempDir`. */
export function makeTempDir(prefix = 'shuttle-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix))
}

export async function removeTempDir(dir: string | undefined): Promise<void> {
  if (!dir) return
  if (!path.basename(dir).startsWith('shuttle-')) throw new Error(`refusing to remove ${dir}`)
  await rm(dir, { recursive: true, force: true, maxRetries: 3 })
}

export interface TestServer {
  /** The tus endpoint, e.g. http://127.0.0.1:PORT/files/ */
  endpoint: string
  port: number
  /** Temp root: the store lives in `${root}/store`, so tests can watch its parent. */
  root: string
  /** The store directory. */
  dir: string
  tus: TusServer
  http: http.Server
  close(): Promise<void>
}

/**
 * Starts `createTusServer` in this process on 127.0.0.1:0 with a FileStore in a fresh temp dir
 * (`root/store`). `close()` stops the server and removes the temp dir.
 */
export async function startServer(
  options: Partial<TusServerOptions> = {},
  /** Serve through `createHttpServer` with these limits (default: a plain server, no timeouts). */
  httpLimits?: HttpLimits,
): Promise<TestServer> {
  const root = await makeTempDir()
  const dir = path.join(root, 'store')
  await mkdir(dir)
  const tus = createTusServer({ path: '/files/', directory: dir, ...options } as TusServerOptions)
  const server = httpLimits
    ? createHttpServer((req, res) => tus.handle(req, res), httpLimits)
    : http.createServer((req, res) => tus.handle(req, res))
  if (!httpLimits) server.requestTimeout = 0
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | undefined
  return {
    endpoint: `http://127.0.0.1:${port}/files/`,
    port,
    root,
    dir,
    tus,
    http: server,
    close() {
      closing ??= (async () => {
        server.closeAllConnections()
        await new Promise<void>((resolve) => server.close(() => resolve()))
        await tus.close()
        await removeTempDir(root)
      })()
      return closing
    },
  }
}
