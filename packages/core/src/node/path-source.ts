import { open, stat } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { UploadError } from '@shuttle/protocol'
import type { FileSource, PositionalReader, SourceInfo } from '../ports.js'

// Big reads matter for throughput: 1 MiB instead of a stream's 64 KiB default.
const CHUNK = 1024 * 1024

/** A file on disk, read in ranges on demand (never whole). */
export async function openPathSource(path: string, info: Omit<SourceInfo, 'size'>): Promise<FileSource> {
  const absolute = resolve(path)
  let st: Awaited<ReturnType<typeof stat>>
  try {
    st = await stat(absolute)
  } catch (cause) {
    throw new UploadError('ERR_SOURCE_READ', `Cannot read ${absolute}`, { cause })
  }
  if (!st.isFile()) throw new UploadError('ERR_SOURCE_READ', `${absolute} is not a file`)
  const size = st.size

  // One way to read a range, for every use: a positional reader over one descriptor.
  async function openReader(): Promise<PositionalReader> {
    const fh = await open(absolute, 'r').catch((cause: unknown) => {
      throw new UploadError('ERR_SOURCE_READ', `Cannot read ${absolute}`, { cause })
    })
    return {
      async read(into, position) {
        try {
          return (await fh.read(into, 0, into.length, position)).bytesRead
        } catch (cause) {
          throw new UploadError('ERR_SOURCE_READ', `Reading ${absolute} failed`, { cause })
        }
      },
      close: () => fh.close(),
    }
  }
  // Fills `into` from `position`; the file ending first means it changed since it was added.
  async function readFully(reader: PositionalReader, into: Uint8Array, position: number): Promise<void> {
    for (let at = 0; at < into.length; ) {
      const n = await reader.read(into.subarray(at), position + at)
      if (n === 0) throw new UploadError('ERR_SOURCE_CHANGED', `${absolute} got shorter while uploading`)
      at += n
    }
  }

  return {
    info: { ...info, path: absolute, size, lastModified: st.mtimeMs },
    async read(start, end) {
      const reader = await openReader()
      try {
        const buf = Buffer.allocUnsafe(end - start)
        await readFully(reader, buf, start)
        return buf
      } finally {
        await reader.close()
      }
    },
    async *stream(start, end) {
      if (end <= start) return
      const reader = await openReader()
      try {
        // A fresh buffer per chunk: a consumer may keep what it was given.
        for (let at = start; at < end; ) {
          const chunk = Buffer.allocUnsafe(Math.min(CHUNK, end - at))
          await readFully(reader, chunk, at)
          at += chunk.length
          yield chunk
        }
      } finally {
        await reader.close()
      }
    },
    openReader,
    async close() {},
  }
}

export const nameOfPath = (path: string): string => basename(path)
