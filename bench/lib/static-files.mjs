// Serves the bench page and the built browser bundles it imports, from the repository root.
// Only used for the Chromium workload; only these prefixes are reachable.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const PREFIXES = [
  '/bench/browser/',
  '/packages/core/dist/',
  '/packages/protocol/dist/',
  '/node_modules/tus-js-client/dist/',
  // Third-party ES modules the core browser build imports (see the import map in index.html).
  '/node_modules/aws4fetch/dist/',
  '/node_modules/hash-wasm/dist/',
  // The hashing rows' comparison: what 秒传 tutorials use.
  '/node_modules/spark-md5/',
]
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.map': 'application/json',
}

/** Returns true when it answered the request. */
export async function serveStatic(req, res) {
  if (req.method !== 'GET') return false
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname))
  if (!PREFIXES.some((p) => path.startsWith(p))) return false
  const file = join(root, path)
  try {
    if (!(await stat(file)).isFile()) return false
  } catch {
    return false
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': 'no-store',
  })
  createReadStream(file).pipe(res)
  return true
}
