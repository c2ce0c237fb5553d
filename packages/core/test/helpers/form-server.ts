import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { sha256OfBytes } from './files.js'

export interface FormReceipt {
  readonly headers: http.IncomingHttpHeaders
  /** Non-file fields of the multipart body. */
  readonly fields: Record<string, string>
  /** File fields: field name → name, size and sha256 of the bytes that arrived. */
  readonly files: Record<string, { filename: string; size: number; sha256: string }>
}

export interface FormServer {
  readonly url: string
  /** Multipart bodies that arrived complete and parsed. */
  readonly receipts: readonly FormReceipt[]
  /** Requests whose body did not arrive complete (client aborted). */
  readonly aborted: number
  /** Answer the next `count` complete bodies with `status` (they are parsed, then refused). */
  failNext(count: number, status: number): void
  close(): Promise<void>
}

/** A plain node:http endpoint that parses multipart/form-data with undici's Request.formData(). */
export async function startFormServer(path = '/upload'): Promise<FormServer> {
  const receipts: FormReceipt[] = []
  let aborted = 0
  let failures = 0
  let failStatus = 500
  const server = http.createServer(async (req, res) => {
    if (req.method !== 'POST' || req.url !== path) {
      res.writeHead(404).end()
      return
    }
    try {
      const request = new Request(`http://127.0.0.1${path}`, {
        method: 'POST',
        headers: req.headers as Record<string, string>,
        body: Readable.toWeb(req) as ReadableStream<Uint8Array>,
        duplex: 'half',
      } as RequestInit)
      const form = await request.formData()
      const fields: Record<string, string> = {}
      const files: FormReceipt['files'] = {}
      for (const [key, value] of form) {
        if (typeof value === 'string') fields[key] = value
        else {
          const bytes = new Uint8Array(await value.arrayBuffer())
          files[key] = { filename: value.name, size: bytes.length, sha256: sha256OfBytes(bytes) }
        }
      }
      if (failures > 0) {
        failures--
        res.writeHead(failStatus).end('try again')
        return
      }
      receipts.push({ headers: req.headers, fields, files })
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ ok: true, receipt: receipts.length }))
    } catch {
      aborted++
      if (!res.headersSent && !res.destroyed) res.writeHead(400).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${path}`,
    receipts,
    get aborted() {
      return aborted
    },
    failNext(count, status) {
      failures = count
      failStatus = status
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
