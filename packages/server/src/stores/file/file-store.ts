import { createHash, timingSafeEqual } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { STATUS_CHECKSUM_MISMATCH, TusError } from '@shuttle/protocol'
import { isValidUploadId } from '../../ids.js'
import type { DataStore, NewUpload, StoreExtension, UploadInfo, WriteOptions } from '../../types.js'
import { copyInto } from './copy-into.js'
import { readInfo, writeInfo } from './info-file.js'
import { streamToFile } from './stream-to-file.js'

export interface FileStoreOptions {
  /** Created if missing. Holds `<id>` (bytes) and `<id>.json` (info) per upload. */
  directory: string
}

const PROGRESS_INTERVAL_MS = 100
const COPY_HIGH_WATER_MARK = 4 * 1024 * 1024

/**
 * Uploads on the local disk. The offset is the data file's size, so after a crash (even
 * kill -9) HEAD reports exactly the bytes on disk. Checksummed chunks go to `<id>.chunk` first
 * and are appended only once verified, so an unverified byte never counts toward the offset.
 *
 * @example
 * createTusServer({ store: new FileStore({ directory: './uploads' }) })
 */
export class FileStore implements DataStore {
  readonly extensions: ReadonlySet<StoreExtension> = new Set<StoreExtension>([
    'creation-defer-length',
    'termination',
    'expiration',
    'concatenation',
    'checksum',
  ])
  readonly directory: string
  #ready: Promise<void> | undefined

  constructor(options: FileStoreOptions) {
    this.directory = resolve(options.directory)
  }

  async create(upload: NewUpload): Promise<UploadInfo> {
    await this.#ensureDirectory()
    // Data first: an info file without data never exists, an orphan empty data file is harmless.
    await writeFile(this.#dataPath(upload.id), new Uint8Array(0), { flag: 'wx' })
    await writeInfo(this.#infoPath(upload.id), upload)
    return { ...upload, offset: 0, lastWriteAt: upload.createdAt }
  }

  async getUpload(id: string): Promise<UploadInfo> {
    try {
      const [info, st] = await Promise.all([readInfo(this.#infoPath(id)), stat(this.#dataPath(id))])
      // The data file's mtime is the last write: no extra I/O on the PATCH path to track activity.
      return { ...info, offset: st.size, lastWriteAt: Math.max(info.createdAt, Math.floor(st.mtimeMs)) }
    } catch (err) {
      throw fsError(err, id)
    }
  }

  async write(id: string, offset: number, body: Readable, options: WriteOptions): Promise<number> {
    if (options.checksum) {
      return this.#writeVerified(id, offset, body, options).catch((err: unknown) => {
        throw fsError(err, id)
      })
    }
    // The caller reports the final offset; these are the in-between updates of long writes.
    let last = Date.now()
    const result = await streamToFile(body, {
      path: this.#dataPath(id),
      flags: 'r+',
      start: offset,
      maxBytes: options.maxBytes,
      signal: options.signal,
      onBytes: options.onProgress
        ? (written) => {
            const now = Date.now()
            if (now - last < PROGRESS_INTERVAL_MS) return
            last = now
            options.onProgress?.(offset + written)
          }
        : undefined,
    }).catch((err: unknown) => {
      throw fsError(err, id)
    })
    if (result.overflow) throw lengthExceeded()
    return offset + result.written
  }

  async #writeVerified(id: string, offset: number, body: Readable, options: WriteOptions): Promise<number> {
    const checksum = options.checksum!
    const chunkPath = this.#chunkPath(id)
    const hash = createHash(checksum.algorithm)
    try {
      const result = await streamToFile(body, {
        path: chunkPath,
        flags: 'w',
        start: 0,
        maxBytes: options.maxBytes,
        signal: options.signal,
        hash,
      })
      if (result.overflow) throw lengthExceeded()
      // A cut-off chunk cannot be verified, so none of it is kept.
      if (!result.ended) return offset
      const digest = hash.digest()
      if (digest.length !== checksum.digest.length || !timingSafeEqual(digest, checksum.digest)) {
        throw new TusError(
          'ERR_CHECKSUM_MISMATCH',
          STATUS_CHECKSUM_MISMATCH,
          `Upload-Checksum does not match the ${checksum.algorithm} of the ${result.written} bytes received; none were kept. Send the chunk again from the same offset.`,
        )
      }
      if (result.written > 0) {
        const data = await open(this.#dataPath(id), 'r+')
        try {
          await copyInto(data, offset, chunkPath)
        } finally {
          await data.close()
        }
      }
      return offset + result.written
    } finally {
      await rm(chunkPath, { force: true })
    }
  }

  async declareLength(id: string, size: number): Promise<UploadInfo> {
    const current = await this.getUpload(id)
    const next = { ...current, size }
    await writeInfo(this.#infoPath(id), next)
    return next
  }

  async concatenate(upload: NewUpload, partIds: readonly string[]): Promise<UploadInfo> {
    await this.#ensureDirectory()
    const dataPath = this.#dataPath(upload.id)
    await writeFile(dataPath, new Uint8Array(0), { flag: 'wx' })
    let offset = 0
    try {
      // Copy each part in turn; the info file is written only once every byte is in place,
      // so a crash mid-copy leaves an orphan data file nobody can address, not a wrong upload.
      const data = await open(dataPath, 'r+')
      try {
        const buffer = Buffer.allocUnsafe(COPY_HIGH_WATER_MARK)
        for (const partId of partIds) offset += await copyInto(data, offset, this.#dataPath(partId), buffer)
      } finally {
        await data.close()
      }
    } catch (err) {
      await rm(dataPath, { force: true })
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new TusError(
          'ERR_CONCAT',
          400,
          'A partial upload was removed during concatenation; nothing was created',
          {
            cause: err,
          },
        )
      }
      throw fsError(err, upload.id)
    }
    await writeInfo(this.#infoPath(upload.id), { ...upload, size: offset })
    return { ...upload, size: offset, offset, lastWriteAt: Date.now() }
  }

  async read(id: string, range?: { start: number; end: number }): Promise<Readable> {
    const upload = await this.getUpload(id)
    const start = range?.start ?? 0
    const end = Math.min(range?.end ?? upload.offset, upload.offset)
    if (end <= start) return Readable.from([])
    return createReadStream(this.#dataPath(id), { start, end: end - 1, highWaterMark: COPY_HIGH_WATER_MARK })
  }

  async remove(id: string): Promise<void> {
    try {
      // Info first: once it is gone the upload is gone, whatever happens to the data file.
      await rm(this.#infoPath(id))
    } catch (err) {
      throw fsError(err, id)
    }
    await Promise.all([rm(this.#dataPath(id), { force: true }), rm(this.#chunkPath(id), { force: true })])
  }

  async *list(): AsyncIterable<UploadInfo> {
    let names: string[]
    try {
      names = await readdir(this.directory)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    for (const name of names) {
      if (!name.endsWith('.json')) continue
      const id = name.slice(0, -'.json'.length)
      if (!isValidUploadId(id)) continue
      try {
        yield await this.getUpload(id)
      } catch {
        // Removed meanwhile or unreadable: not ours to judge here.
      }
    }
  }

  #ensureDirectory(): Promise<void> {
    this.#ready ??= mkdir(this.directory, { recursive: true }).then(
      () => undefined,
      (err: unknown) => {
        this.#ready = undefined
        throw err
      },
    )
    return this.#ready
  }

  // Ids are validated by the server before any call, and again here: paths never leave `directory`.
  #dataPath(id: string): string {
    return join(this.directory, checkId(id))
  }
  #infoPath(id: string): string {
    return join(this.directory, `${checkId(id)}.json`)
  }
  #chunkPath(id: string): string {
    return join(this.directory, `${checkId(id)}.chunk`)
  }
}

function checkId(id: string): string {
  if (!isValidUploadId(id)) throw new TusError('ERR_NOT_FOUND', 404, 'Upload not found')
  return id
}

/** Maps file-system errors clients can act on; the rest stay internal (500). */
function fsError(err: unknown, id: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOENT') return new TusError('ERR_NOT_FOUND', 404, `Upload ${id} not found`, { cause: err })
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new TusError('ERR_INTERNAL', 507, 'The server is out of storage space; retry later', {
      cause: err,
    })
  }
  return err
}

function lengthExceeded(): TusError {
  return new TusError(
    'ERR_LENGTH_EXCEEDED',
    413,
    'The request body goes past Upload-Length; the bytes beyond it were not stored. HEAD the upload to learn its offset.',
  )
}
