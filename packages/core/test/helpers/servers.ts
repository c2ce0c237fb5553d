import { createHash } from 'node:crypto'
import { readdir, stat } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { createTusServer, type ServerOptions, FileStore as ShuttleFileStore } from '@shuttle/server'
import { FileStore } from '@tus/file-store'
import { Server } from '@tus/server'
import { makeTempDir, removeDir, sha256OfFile } from './files.js'

export type ServerKind = 'shuttle' | 'tus-node'
export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void

export interface StoredUpload {
  readonly id: string
  readonly size: number
}

export interface TestServer {
  readonly kind: ServerKind
  /** Origin of the server itself, e.g. http://127.0.0.1:1234 */
  readonly origin: string
  /** tus endpoint on the server itself (no proxy in between). */
  readonly endpoint: string
  /** Directory the store writes to. */
  readonly dir: string
  /** sha256 of the bytes stored for the upload behind `url` (read from disk). */
  storedSha256(url: string): Promise<string>
  /** Byte size stored on disk for the upload behind `url`. */
  storedSize(url: string): Promise<number>
  /** Every upload data file in the store (metadata side files are skipped). */
  storedUploads(): Promise<StoredUpload[]>
  /**
   * Simulates a server crash and restart: drops every connection, stays down for `downMs`, then
   * listens on the same port with a fresh handler (no locks, no memory) over the same directory.
   */
  restart(downMs: number): Promise<void>
  close(): Promise<void>
}

export interface StartServerOptions {
  /** Wraps the tus handler, e.g. with an auth check. */
  readonly wrap?: (handler: Handler) => Handler
  /** More options for our server (ignored for @tus/server), e.g. `instantUpload: false`. */
  readonly shuttle?: Partial<ServerOptions>
}

export const TUS_PATH = '/files'

export function uploadIdOf(url: string): string {
  const id = new URL(url).pathname.split('/').filter(Boolean).pop()
  if (!id) throw new Error(`no upload id in ${url}`)
  return id
}

function makeHandler(kind: ServerKind, directory: string, more: Partial<ServerOptions> = {}): Handler {
  if (kind === 'tus-node') {
    const server = new Server({ path: TUS_PATH, datastore: new FileStore({ directory }) })
    return (req, res) => {
      void server.handle(req, res)
    }
  }
  const tus = createTusServer({ ...more, directory })
  return (req, res) => {
    void tus.handle(req, res)
  }
}

/**
 * sha256 of the bytes a store in `dir` keeps for upload `id`: @tus/file-store's one data file; ours
 * read through its FileStore, since a concatenated upload is its parts' files, linked.
 */
export async function storedSha256(kind: ServerKind, dir: string, id: string): Promise<string> {
  if (kind !== 'shuttle') return sha256OfFile(join(dir, id))
  const hash = createHash('sha256')
  for await (const chunk of await new ShuttleFileStore({ directory: dir }).read(id))
    hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Starts our tus server or @tus/server with a file store in a fresh temp dir, on 127.0.0.1. */
export async function startServer(kind: ServerKind, options: StartServerOptions = {}): Promise<TestServer> {
  const dir = await makeTempDir(`store-${kind}`)
  const makeServer = () => {
    const base = makeHandler(kind, dir, options.shuttle)
    return http.createServer(options.wrap ? options.wrap(base) : base)
  }
  let server = makeServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const stop = async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  const origin = `http://127.0.0.1:${port}`
  const dataPath = (url: string) => join(dir, uploadIdOf(url))
  const storedSize = async (url: string) =>
    kind === 'shuttle'
      ? (await new ShuttleFileStore({ directory: dir }).getUpload(uploadIdOf(url))).offset
      : (await stat(dataPath(url))).size
  return {
    kind,
    origin,
    endpoint: `${origin}${TUS_PATH}`,
    dir,
    storedSha256: (url) => storedSha256(kind, dir, uploadIdOf(url)),
    storedSize,
    async storedUploads() {
      const entries = await readdir(dir, { withFileTypes: true })
      const uploads: StoredUpload[] = []
      for (const e of entries) {
        if (!e.isFile() || e.name.includes('.')) continue
        uploads.push({ id: e.name, size: (await stat(join(dir, e.name))).size })
      }
      return uploads
    },
    async restart(downMs) {
      await stop()
      await new Promise((r) => setTimeout(r, downMs))
      server = makeServer()
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
    },
    async close() {
      await stop()
      await removeDir(dir)
    },
  }
}

/** Sends one raw request to `url` (bypassing the engine) and returns its status and headers. */
export function rawRequest(
  method: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { 'Tus-Resumable': '1.0.0', ...headers } }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }))
    })
    req.on('error', reject)
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${url} timed out`)))
    req.end()
  })
}

/** Rewrites the origin of `url` to `origin` (e.g. to reach the server behind a proxy directly). */
export function withOrigin(url: string, origin: string): string {
  const u = new URL(url)
  return `${origin}${u.pathname}${u.search}`
}
