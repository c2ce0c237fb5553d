import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
}

/**
 * Serves files under `root` for GET/HEAD; unknown paths without an extension get index.html (a
 * single-page app). Returns false when it did not answer, so the caller can fall through.
 */
export async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false
  let pathname: string
  try {
    pathname = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/')
  } catch {
    return false
  }
  if (pathname.includes('\0')) return false
  const base = path.resolve(root)
  let file = path.resolve(base, `.${path.posix.normalize(pathname)}`)
  // Never answer with anything outside the root, whatever the URL says.
  if (file !== base && !file.startsWith(base + path.sep)) return false
  let info = await stat(file).catch(() => undefined)
  if (info?.isDirectory()) {
    file = path.join(file, 'index.html')
    info = await stat(file).catch(() => undefined)
  }
  if (!info?.isFile()) {
    if (path.extname(pathname) !== '') return false
    file = path.join(base, 'index.html')
    info = await stat(file).catch(() => undefined)
    if (!info?.isFile()) return false
  }
  const ext = path.extname(file)
  res.writeHead(200, {
    'content-type': TYPES[ext] ?? 'application/octet-stream',
    'content-length': info.size,
    // Vite puts content hashes in asset names; the HTML must always be fresh.
    'cache-control': pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    'x-content-type-options': 'nosniff',
  })
  if (req.method === 'HEAD') {
    res.end()
    return true
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res)
  return true
}
