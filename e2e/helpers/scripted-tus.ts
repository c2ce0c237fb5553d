import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A scripted answer to a creation POST, chosen by the file's name. `cors: false` leaves CORS headers out. */
export interface Script {
  status: number
  body?: string
  headers?: Record<string, string>
  cors?: boolean
}

export interface ScriptedTus {
  /** http://127.0.0.1:PORT — a different origin than the page, so CORS applies. */
  origin: string
  /** filename → answer; files with no script go through to the real server. */
  scripts: Map<string, Script>
  close(): Promise<void>
}

const EXPOSE =
  'Location, Upload-Offset, Upload-Length, Upload-Metadata, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Retry-After'

const filenameOf = (metadata: string | undefined): string => {
  for (const pair of (metadata ?? '').split(',')) {
    const [k, v] = pair.trim().split(' ')
    if (k === 'filename' && v) return Buffer.from(v, 'base64').toString('utf8')
  }
  return ''
}

function cors(req: IncomingMessage): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': req.headers.origin ?? '*',
    'Access-Control-Expose-Headers': EXPOSE,
  }
}

/**
 * A cross-origin tus endpoint in front of `shuttle serve` that answers creation POSTs of chosen
 * files as a misbehaving or strict server would (401, 403 with a text body, 413, 429 with
 * Retry-After, 500, 503, a response without CORS headers). Everything else goes through, with
 * CORS headers of its own.
 */
export async function startScriptedTus(target: string): Promise<ScriptedTus> {
  const t = new URL(target)
  const scripts = new Map<string, Script>()
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      res.writeHead(204, {
        ...cors(req),
        'Access-Control-Allow-Methods': 'POST, GET, HEAD, PATCH, DELETE, OPTIONS',
        'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? '*',
        'Access-Control-Max-Age': '600',
      })
      res.end()
      return
    }
    const script =
      req.method === 'POST' ? scripts.get(filenameOf(req.headers['upload-metadata'] as string)) : undefined
    if (script) {
      req.resume()
      res.writeHead(script.status, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Tus-Resumable': '1.0.0',
        ...(script.cors === false ? {} : cors(req)),
        ...script.headers,
      })
      res.end(script.body ?? '')
      return
    }
    const up = request(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        const headers = { ...r.headers }
        for (const k of Object.keys(headers)) if (k.startsWith('access-control-')) delete headers[k]
        res.writeHead(r.statusCode ?? 502, { ...headers, ...cors(req) })
        r.pipe(res)
      },
    )
    up.on('error', () => res.destroy())
    req.pipe(up)
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    scripts,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections()
        server.close(() => ok())
      }),
  }
}
