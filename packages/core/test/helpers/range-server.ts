import { createHash, randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { makeTempDir, removeDir } from './files.js'

// A small resumable protocol that is not tus, for the custom-transport tests: the server chooses a
// part size at creation, parts go by PUT with Content-Range and must arrive in order, HEAD tells how
// many bytes it has. Bytes are appended to a file on disk, so the test can hash what arrived.
//   POST /ranges             X-Upload-Length: n  → 201 Location: /ranges/<id>, body {"partSize": p}
//   HEAD /ranges/<id>                            → 200 X-Received: k, X-Length: n   (404 unknown)
//   PUT  /ranges/<id>        Content-Range: bytes a-b/n → 200 X-Received (409 X-Received if a ≠ k)
//   DELETE /ranges/<id>                          → 204

interface RangeUpload {
  length: number
  received: number
  file: string
  busy: boolean
}

export interface RangeServer {
  readonly origin: string
  /** The creation URL. */
  readonly endpoint: string
  /** Part size the server hands out at creation. */
  readonly partSize: number
  /** Uploads the server holds, by path. */
  readonly uploads: ReadonlyMap<string, { length: number; received: number }>
  /** sha256 of the bytes stored for an upload (by URL or path). */
  storedSha256(url: string): Promise<string>
  /** Answer PUTs with this status (and store nothing) until set back to undefined. */
  failPutsWith(status: number | undefined): void
  close(): Promise<void>
}

const PATH = '/ranges'

export async function startRangeServer(partSize = 256 * 1024): Promise<RangeServer> {
  const dir = await makeTempDir('range-server')
  const uploads = new Map<string, RangeUpload>()
  let failStatus: number | undefined

  const server = http.createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const up = uploads.get(path)
    const received = (u: RangeUpload) => ({ 'X-Received': String(u.received), 'X-Length': String(u.length) })
    try {
      if (req.method === 'POST' && path === PATH) {
        const length = Number(req.headers['x-upload-length'])
        if (!Number.isInteger(length) || length < 0) return void res.writeHead(400).end('bad X-Upload-Length')
        const id = randomUUID()
        uploads.set(`${PATH}/${id}`, { length, received: 0, file: join(dir, id), busy: false })
        res.writeHead(201, { Location: `${PATH}/${id}`, 'Content-Type': 'application/json' })
        return void res.end(JSON.stringify({ partSize }))
      }
      if (!up) return void res.writeHead(404).end()
      if (req.method === 'HEAD') return void res.writeHead(200, received(up)).end()
      if (req.method === 'DELETE') {
        uploads.delete(path)
        await rm(up.file, { force: true })
        return void res.writeHead(204).end()
      }
      if (req.method !== 'PUT') return void res.writeHead(405).end()
      const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers['content-range']))
      if (!m) return void res.writeHead(400).end('bad Content-Range')
      const [start, last, total] = [Number(m[1]), Number(m[2]), Number(m[3])]
      if (total !== up.length || last < start || last >= total)
        return void res.writeHead(400).end('bad range')
      // Refusals read the body first: an answer before the body is in breaks the connection.
      if (failStatus !== undefined) {
        const status = failStatus
        for await (const _ of req);
        return void res.writeHead(status).end('scripted failure')
      }
      if (start !== up.received || up.busy) {
        for await (const _ of req);
        return void res.writeHead(409, received(up)).end()
      }
      up.busy = true
      // Only a complete part counts: a cut body leaves `received` where it was (the file is cut back
      // by writing the next part at that position).
      const chunks: Buffer[] = []
      let n = 0
      try {
        for await (const chunk of req) {
          chunks.push(chunk as Buffer)
          n += (chunk as Buffer).length
        }
      } finally {
        up.busy = false
      }
      if (n !== last - start + 1) return void res.writeHead(400, received(up)).end('short body')
      await pipeline(
        async function* () {
          yield* chunks
        },
        createWriteStream(up.file, { flags: start === 0 ? 'w' : 'r+', start }),
      )
      up.received = last + 1
      res.writeHead(200, received(up)).end()
    } catch {
      if (!res.headersSent) res.writeHead(500).end()
      else res.destroy()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const pathOf = (url: string) => new URL(url, origin).pathname

  return {
    origin,
    endpoint: `${origin}${PATH}`,
    partSize,
    uploads,
    async storedSha256(url) {
      const up = uploads.get(pathOf(url))
      if (!up) throw new Error(`no upload at ${url}`)
      return createHash('sha256')
        .update(up.received === 0 ? new Uint8Array() : await readFile(up.file))
        .digest('hex')
    },
    failPutsWith(status) {
      failStatus = status
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await removeDir(dir)
    },
  }
}
