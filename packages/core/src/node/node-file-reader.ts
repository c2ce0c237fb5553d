import { extname } from 'node:path'
import { UploadError } from '@shuttle/protocol'
import { createXXHash128, type IHasher } from 'hash-wasm'
import type { FileReaderPort, SourceInfo } from '../ports.js'
import { createBytesSource } from '../sources/bytes-source.js'
import { nameOfPath, openPathSource } from './path-source.js'

/** What `add()` accepts in Node. */
export type NodeInput =
  | string
  | { path: string; name?: string; type?: string }
  | Uint8Array
  | { data: Uint8Array; name: string; type?: string }

const TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.pdf': 'application/pdf',
  '.mp4': 'video/mp4',
  '.zip': 'application/zip',
  '.bin': 'application/octet-stream',
}

const typeOf = (name: string) => TYPES[extname(name).toLowerCase()] ?? ''

function parse(
  input: unknown,
):
  | { kind: 'path'; path: string; name: string; type: string }
  | { kind: 'bytes'; data: Uint8Array; name: string; type: string } {
  if (typeof input === 'string' && input !== '')
    return { kind: 'path', path: input, name: nameOfPath(input), type: typeOf(input) }
  if (input instanceof Uint8Array) return { kind: 'bytes', data: input, name: 'blob', type: '' }
  if (typeof input === 'object' && input !== null) {
    const o = input as Record<string, unknown>
    if (typeof o.path === 'string' && o.path !== '') {
      const name = typeof o.name === 'string' ? o.name : nameOfPath(o.path)
      return { kind: 'path', path: o.path, name, type: typeof o.type === 'string' ? o.type : typeOf(name) }
    }
    if (o.data instanceof Uint8Array && typeof o.name === 'string') {
      return {
        kind: 'bytes',
        data: o.data,
        name: o.name,
        type: typeof o.type === 'string' ? o.type : typeOf(o.name),
      }
    }
  }
  throw new UploadError(
    'ERR_INVALID_OPTIONS',
    'add() takes a file path, { path, name? }, a Uint8Array or { data, name }',
  )
}

// One xxh128 hasher (WebAssembly) for the whole process, created on first use. init/update/digest
// run synchronously, so concurrent callers never interleave on it.
let hasher: Promise<IHasher> | undefined

/**
 * Identity of in-memory bytes for fingerprints: xxh128 over ALL of the content (a resume must never
 * land on another buffer's upload), ~4× the speed of sha256. Prefixed with the algorithm, so keys
 * from an older scheme (bare sha256 hex) can never be mistaken for these.
 */
export async function contentHashOf(bytes: Uint8Array): Promise<string> {
  hasher ??= createXXHash128().catch((err: unknown) => {
    hasher = undefined
    throw err
  })
  const h = await hasher
  h.init()
  h.update(bytes)
  return `xxh128:${h.digest('hex')}`
}

export function createNodeFileReader(): FileReaderPort {
  return {
    describe(input): SourceInfo {
      const p = parse(input)
      return p.kind === 'path'
        ? { name: p.name, type: p.type, size: null }
        : { name: p.name, type: p.type, size: p.data.byteLength }
    },
    async open(input) {
      const p = parse(input)
      if (p.kind === 'bytes') {
        // Bytes have no path or mtime; without a content hash two buffers of one size would share a checkpoint.
        const contentHash = await contentHashOf(p.data)
        return createBytesSource(p.data, { name: p.name, type: p.type, contentHash })
      }
      return openPathSource(p.path, { name: p.name, type: p.type })
    },
  }
}
