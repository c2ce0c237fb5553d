// A real HTTP endpoint for el-upload style form uploads, used by the differential suite (happy-dom)
// and by the side-by-side Chromium page (e2e): it records what arrived, byte for byte.
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Part {
  name: string
  filename?: string
  size: number
  sha256: string
  text: string
}
export interface Recorded {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  parts: Part[]
}

/** A small multipart/form-data reader: enough to see which fields and files arrived, byte for byte. */
function parseMultipart(body: Buffer, contentType: string): Part[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType)
  if (!boundary) return []
  const sep = Buffer.from(`--${boundary[1] ?? boundary[2]}`)
  const parts: Part[] = []
  let at = body.indexOf(sep)
  while (at !== -1) {
    const start = at + sep.length
    if (body.subarray(start, start + 2).toString() === '--') break
    const next = body.indexOf(sep, start)
    if (next === -1) break
    const chunk = body.subarray(start + 2, next - 2) // CRLF after the boundary, CRLF before the next
    const split = chunk.indexOf('\r\n\r\n')
    const head = chunk.subarray(0, split).toString()
    const data = chunk.subarray(split + 4)
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? ''
    const filename = /filename="([^"]*)"/.exec(head)?.[1]
    parts.push({
      name,
      ...(filename === undefined ? {} : { filename }),
      size: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      text: data.toString(),
    })
    at = next
  }
  return parts
}

export interface FormServer {
  url: string
  requests: Recorded[]
  /** The next answers, in order; after them every request gets 200 `{"ok":true,"n":<index>}`. */
  replies: { status: number; body: string }[]
  close(): Promise<void>
}

/** A real HTTP server on 127.0.0.1 that records each upload and answers CORS like an API would. */
export async function startFormServer(): Promise<FormServer> {
  const requests: Recorded[] = []
  const replies: { status: number; body: string }[] = []
  const server: Server = createServer((req: IncomingMessage, res) => {
    res.setHeader('access-control-allow-origin', req.headers.origin ?? '*')
    res.setHeader('access-control-allow-credentials', 'true')
    res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? '*')
    res.setHeader('access-control-allow-methods', 'POST, PUT, PATCH, OPTIONS')
    if (req.method === 'OPTIONS') {
      res.end()
      return
    }
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        parts: parseMultipart(body, req.headers['content-type'] ?? ''),
      })
      const reply = replies.shift() ?? { status: 200, body: JSON.stringify({ ok: true, n: requests.length }) }
      res.statusCode = reply.status
      res.setHeader('content-type', 'application/json')
      res.end(reply.body)
    })
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    replies,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  }
}
