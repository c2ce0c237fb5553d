import { UploadError } from '@shuttle/protocol'
import type { FileReaderPort, FileSource, SourceInfo } from '../ports.js'
import { createBytesSource } from '../sources/bytes-source.js'
import { createBlobRangeReader } from './blob-reader.js'

/** What `add()` accepts in browsers. */
export type BrowserInput = File | Blob | { blob: Blob; name: string; type?: string }

function parse(input: unknown): { blob: Blob; name: string; type: string; lastModified?: number } {
  if (typeof File !== 'undefined' && input instanceof File) {
    return { blob: input, name: input.name, type: input.type, lastModified: input.lastModified }
  }
  if (typeof Blob !== 'undefined' && input instanceof Blob)
    return { blob: input, name: 'blob', type: input.type }
  if (typeof input === 'object' && input !== null) {
    const o = input as { blob?: unknown; name?: unknown; type?: unknown }
    if (typeof Blob !== 'undefined' && o.blob instanceof Blob && typeof o.name === 'string') {
      return { blob: o.blob, name: o.name, type: typeof o.type === 'string' ? o.type : o.blob.type }
    }
  }
  throw new UploadError('ERR_INVALID_OPTIONS', 'add() takes a File, a Blob or { blob, name }')
}

/**
 * A Blob read slice by slice: `body()` hands XHR a Blob slice (the browser streams it from disk),
 * `read()` loads only the requested range (checksums) from a stream, not a slice: see blob-reader.ts.
 */
export function createBlobSource(blob: Blob, info: Omit<SourceInfo, 'size'>): FileSource {
  const ranges = createBlobRangeReader(blob)
  return {
    info: { ...info, size: blob.size },
    body: (start, end) => blob.slice(start, end),
    // Chromium 150 sends an ArrayBuffer XHR body at ~6-17 MiB/s, blocking the page ~0.5 s per
    // 8 MiB, and a File's slice at disk speed. An in-memory Blob's slice is a copy in the browser's
    // blob storage (bounded in incognito windows), so only Files prefer it.
    preferBody: typeof File !== 'undefined' && blob instanceof File,
    async read(start, end, options) {
      try {
        return await ranges.read(start, end, options)
      } catch (cause) {
        throw new UploadError('ERR_SOURCE_READ', `Reading bytes ${start}-${end} of ${info.name} failed`, {
          cause,
        })
      }
    },
    close: () => ranges.close(),
  }
}

export function createBrowserFileReader(): FileReaderPort {
  return {
    describe(input): SourceInfo {
      const p = parse(input)
      return {
        name: p.name,
        type: p.type,
        size: p.blob.size,
        ...(p.lastModified !== undefined ? { lastModified: p.lastModified } : {}),
      }
    },
    async open(input) {
      if (input instanceof Uint8Array) return createBytesSource(input, { name: 'blob', type: '' })
      const p = parse(input)
      return createBlobSource(p.blob, {
        name: p.name,
        type: p.type,
        ...(p.lastModified !== undefined ? { lastModified: p.lastModified } : {}),
      })
    },
  }
}
