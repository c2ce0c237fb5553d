import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { createTusServer, type ServerOptions, type TusServer } from '../../src/index.js'

export interface Tus {
  /** e.g. http://127.0.0.1:PORT/files/ */
  endpoint: string
  dir: string
  tus: TusServer
  server: http.Server
  /** fetch with Tus-Resumable: 1.0.0 added. */
  req(url: string, init?: RequestInit): Promise<Response>
  close(): Promise<void>
}

/** Our server on 127.0.0.1:0 over a FileStore in a fresh temp directory; close() removes it. */
export async function startTus(options: Partial<ServerOptions> = {}): Promise<Tus> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-unit-'))
  const tus = createTusServer({ directory: path.join(dir, 'store'), ...options } as ServerOptions)
  const server = http.createServer(tus.handle)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const endpoint = `http://127.0.0.1:${port}/files/`
  return {
    endpoint,
    dir: path.join(dir, 'store'),
    tus,
    server,
    req: (url, init = {}) =>
      fetch(new URL(url, endpoint), {
        ...init,
        headers: { 'Tus-Resumable': '1.0.0', ...(init.headers as Record<string, string>) },
      }),
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await tus.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export const OCTET = { 'Content-Type': 'application/offset+octet-stream' } as const
