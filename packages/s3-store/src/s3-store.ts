import type { S3Client } from '@aws-sdk/client-s3'
import { TusError, UploadError } from '@shuttle/protocol'
import {
  type ByteSource,
  type DataStore,
  isValidUploadId,
  type NewUpload,
  type StoreExtension,
  type UploadInfo,
  type WriteOptions,
} from '@shuttle/server'
import { Bucket } from './bucket.js'
import { decodeInfo, encodeInfo, type StoredInfo } from './info-object.js'
import { checkPartLimit, partSizeFor } from './part-plan.js'
import { writeParts } from './part-writer.js'
import { damaged, isNotFound, notFound, storageError } from './s3-errors.js'
import { Slots } from './slots.js'
import { loadState, type UploadState } from './upload-state.js'

export interface S3StoreOptions {
  /** An S3 client (`@aws-sdk/client-s3`); for Ceph RGW / MinIO set `endpoint` and `forcePathStyle`. */
  client: S3Client
  bucket: string
  /** Prefix of every key the store writes, e.g. `tus/`. Default none. */
  prefix?: string
  /**
   * The smallest part size P in bytes (S3's minimum is 5 MiB; every part but the last must be at
   * least that). Larger uploads get larger parts so that they fit in 10 000. Default 8 MiB.
   */
  partSize?: number
  /** The largest upload a deferred length may reach: its part size is planned for it. Default 80 000 MiB (10 000 × 8 MiB). */
  maxSize?: number
  /** Parts of one PATCH uploading while the next fills. Memory per PATCH ≤ P × (depth + 1). Default 2. */
  partsInFlightPerWrite?: number
  /** Parts uploading at once across all PATCHes of this store. Default 16. */
  partsInFlight?: number
}

const MiB = 1024 * 1024

/**
 * Uploads on S3-compatible storage (AWS S3, Ceph RGW, MinIO), with S3 as the only source of truth
 * so any number of server instances can serve one upload (with a shared locker such as
 * `@shuttle/redis-locker`; the default MemoryLocker is for one instance).
 *
 * - `<prefix><id>.info`: the upload's info and its S3 UploadId and part size P.
 * - `<prefix><id>`: one multipart upload of fixed-size parts: part k holds bytes [(k−1)P, kP).
 * - `<prefix><id>.tail.<n>`: the bytes that will start part n, while fewer than P; deleted only
 *   after the part (or longer tail) holding them is stored, so a crash never loses a confirmed byte.
 * - The offset is contiguous parts (ListParts, every page) + the tail of the next part.
 *
 * @example
 * const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials })
 * createTusServer({ store: new S3Store({ client, bucket: 'uploads' }), locker })
 */
export class S3Store implements DataStore {
  readonly extensions: ReadonlySet<StoreExtension> = new Set<StoreExtension>([
    'creation-defer-length',
    'termination',
    'expiration',
    'concatenation',
  ])
  readonly #bucket: Bucket
  readonly #prefix: string
  readonly #minPart: number
  readonly #maxSize: number
  readonly #depth: number
  readonly #slots: Slots

  constructor(options: S3StoreOptions) {
    this.#bucket = new Bucket(options.client, options.bucket)
    this.#prefix = options.prefix ?? ''
    this.#minPart = options.partSize ?? 8 * MiB
    this.#maxSize = options.maxSize ?? 10_000 * this.#minPart
    this.#depth = options.partsInFlightPerWrite ?? 2
    this.#slots = new Slots(options.partsInFlight ?? 16)
    if (!options.bucket || !(this.#minPart >= 1) || !(this.#depth >= 1) || !(this.#maxSize >= 0)) {
      throw new UploadError(
        'ERR_INVALID_OPTIONS',
        "S3Store needs 'bucket', and positive 'partSize', 'maxSize' and 'partsInFlightPerWrite'",
      )
    }
  }

  /**
   * Checks that the bucket answers and these credentials may use it (HeadBucket); throws
   * UploadError('ERR_INVALID_OPTIONS') saying why not. Run it at startup.
   */
  async check(): Promise<void> {
    try {
      await this.#bucket.head()
    } catch (err) {
      const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } }
      const why = e.$metadata?.httpStatusCode
        ? `${e.$metadata.httpStatusCode} ${e.name}`
        : (e.message ?? String(err))
      throw new UploadError(
        'ERR_INVALID_OPTIONS',
        `Cannot use bucket ${this.#bucket.name} (${why}); check the bucket name, the endpoint and the credentials`,
        { cause: err },
      )
    }
  }

  /** Bytes of memory one PATCH may hold at most for an upload with part size `partSize`. */
  memoryPerWrite(partSize = this.#minPart): number {
    return partSize * (this.#depth + 1)
  }

  async create(upload: NewUpload): Promise<UploadInfo> {
    checkId(upload.id)
    const partSize = partSizeFor(upload.size, this.#minPart, this.#maxSize)
    if (upload.size !== undefined) checkPartLimit(upload.id, upload.size, partSize)
    try {
      if (upload.size === 0) {
        await this.#bucket.put(this.#dataKey(upload.id), new Uint8Array(0))
        await this.#putInfo({ ...stored(upload, undefined, partSize), finished: true })
      } else {
        // A crash between these two leaves a multipart upload without info: removeLeftovers aborts it.
        const uploadId = await this.#bucket.createMultipart(this.#dataKey(upload.id), contentType(upload))
        await this.#putInfo(stored(upload, uploadId, partSize))
      }
    } catch (err) {
      throw storageError(err, upload.id, 'creating')
    }
    return { ...upload, offset: 0, lastWriteAt: upload.createdAt }
  }

  async getUpload(id: string): Promise<UploadInfo> {
    return toInfo(await this.#settled(id))
  }

  async write(id: string, offset: number, body: ByteSource, options: WriteOptions): Promise<number> {
    const state = await this.#settled(id)
    if (offset !== state.offset) {
      throw new TusError(
        'ERR_OFFSET_MISMATCH',
        409,
        `Upload-Offset ${offset} does not match the upload's offset ${state.offset}; HEAD it and resume from there`,
      )
    }
    const { info } = state
    if (state.completed || (info.size !== undefined && offset >= info.size)) {
      if (options.maxBytes === 0) throw lengthExceeded()
      return offset
    }
    const uploadId = info.uploadId as string
    try {
      await this.#sweep(state.staleTails)
      const tail = state.tail ? await this.#bucket.getBytes(state.tail.key) : undefined
      const result = await writeParts(
        this.#bucket,
        {
          id,
          dataKey: this.#dataKey(id),
          uploadId,
          partSize: info.partSize,
          size: info.size,
          firstPart: state.parts.length + 1,
          tail,
          tailKey: (n) => this.#tailKey(id, n),
        },
        body,
        {
          signal: options.signal,
          lease: options.lease,
          maxBytes: options.maxBytes,
          onProgress: options.onProgress,
          hash: options.hash,
          depth: this.#depth,
          slots: this.#slots,
        },
      )
      if (info.size !== undefined && result.offset === info.size) {
        options.lease?.assertHeld()
        await this.#finish(id, info)
      }
      if (result.overflow) throw lengthExceeded()
      return result.offset
    } catch (err) {
      throw storageError(err, id, 'writing')
    }
  }

  async declareLength(id: string, size: number): Promise<UploadInfo> {
    const state = await this.#settled(id)
    checkPartLimit(id, size, state.info.partSize)
    if (size < state.offset) {
      throw new TusError(
        'ERR_INVALID_HEADER',
        400,
        `Upload-Length ${size} is below the ${state.offset} bytes stored`,
      )
    }
    const info: StoredInfo = { ...state.info, size }
    try {
      await this.#putInfo(info)
    } catch (err) {
      throw storageError(err, id, 'declaring the length of')
    }
    return this.getUpload(id)
  }

  /**
   * Streams each finished part's bytes into the new upload's fixed-size parts (memory bounded as
   * for a PATCH); the info says `finished` only once every byte is stored and completed.
   */
  async concatenate(upload: NewUpload, partIds: readonly string[]): Promise<UploadInfo> {
    const parts = await Promise.all(partIds.map((p) => this.getUpload(p)))
    const size = parts.reduce((n, p) => n + p.offset, 0)
    await this.create({ ...upload, size })
    if (size > 0) {
      const store = this
      async function* bytes(): AsyncIterable<Uint8Array> {
        for (const p of parts) if (p.offset > 0) yield* await store.#readRange(p.id, 0, p.offset)
      }
      const offset = await this.write(upload.id, 0, bytes(), {
        signal: new AbortController().signal,
        maxBytes: size,
      })
      if (offset !== size) {
        await this.remove(upload.id).catch(() => {})
        throw new TusError(
          'ERR_CONCAT',
          500,
          `Concatenating upload ${upload.id} stored ${offset} of ${size} bytes`,
        )
      }
    }
    return this.getUpload(upload.id)
  }

  /**
   * Bytes [start, end) of a finished upload (GET with Range). An unfinished one can be read only
   * while all its bytes are in its tail (below one part): S3 cannot read back the parts of an
   * unfinished multipart upload. Otherwise 409.
   */
  async read(id: string, range?: { start: number; end: number }): Promise<ByteSource> {
    const state = await this.#settled(id)
    const start = range?.start ?? 0
    const end = Math.min(range?.end ?? state.offset, state.offset)
    return this.#readState(state, start, end)
  }

  async #readRange(id: string, start: number, end: number): Promise<ByteSource> {
    return this.#readState(await this.#settled(id), start, end)
  }

  async #readState(state: UploadState, start: number, end: number): Promise<ByteSource> {
    const { id } = state.info
    if (end <= start) return emptySource()
    try {
      if (state.completed) return await this.#bucket.getRange(this.#dataKey(id), start, end)
      if (state.parts.length === 0 && state.tail)
        return await this.#bucket.getRange(state.tail.key, start, end)
    } catch (err) {
      throw storageError(err, id, 'reading')
    }
    throw new TusError(
      'ERR_INCOMPLETE',
      409,
      `Upload ${id} is not finished (${state.offset} bytes stored); download it once complete`,
    )
  }

  async remove(id: string): Promise<void> {
    checkId(id)
    let text: string | undefined
    try {
      text = await this.#bucket.getText(this.#infoKey(id))
    } catch (err) {
      throw storageError(err, id, 'removing')
    }
    if (text === undefined) throw notFound(id)
    const info = decodeInfo(text, id)
    try {
      // Info first: once it is gone the upload is gone, whatever happens to the rest.
      await this.#bucket.delete(this.#infoKey(id))
      await this.#removeData(id, info?.uploadId)
    } catch (err) {
      throw storageError(err, id, 'removing')
    }
  }

  async #removeData(id: string, uploadId: string | undefined): Promise<void> {
    if (uploadId) await this.#bucket.abortMultipart(this.#dataKey(id), uploadId)
    else {
      // A damaged info cannot say which multipart upload is this one's: abort every one on its key.
      for await (const u of this.#bucket.listMultipart(this.#dataKey(id))) {
        if (u.key === this.#dataKey(id)) await this.#bucket.abortMultipart(u.key, u.uploadId)
      }
    }
    await this.#bucket.delete(this.#dataKey(id))
    for await (const t of this.#bucket.list(this.#tailPrefix(id))) await this.#bucket.delete(t.key)
  }

  async *list(): AsyncIterable<UploadInfo> {
    for await (const o of this.#bucket.list(this.#prefix)) {
      const id = this.#idOfInfoKey(o.key)
      if (!id) continue
      try {
        yield await this.getUpload(id)
      } catch {
        // Removed meanwhile or damaged: not ours to judge here.
      }
    }
  }

  /**
   * What a crash leaves, older than `olderThanMs`: multipart uploads and tails of ids without an
   * info object (killed between CreateMultipartUpload and the info PUT, or mid-remove), and uploads
   * whose info is damaged.
   */
  async removeLeftovers(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs
    let removed = 0
    const infoOf = new Map<string, boolean>()
    const hasInfo = async (id: string) => {
      let known = infoOf.get(id)
      if (known === undefined) {
        known = (await this.#bucket.length(this.#infoKey(id))) !== undefined
        infoOf.set(id, known)
      }
      return known
    }
    for await (const u of this.#bucket.listMultipart(this.#prefix)) {
      const id = u.key.slice(this.#prefix.length)
      if (!isValidUploadId(id) || u.initiated > cutoff || (await hasInfo(id))) continue
      await this.#bucket.abortMultipart(u.key, u.uploadId)
      removed++
    }
    for await (const o of this.#bucket.list(this.#prefix)) {
      const rest = o.key.slice(this.#prefix.length)
      const infoId = this.#idOfInfoKey(o.key)
      if (infoId) {
        if (o.lastModified > cutoff) continue
        const text = await this.#bucket.getText(o.key)
        if (text !== undefined && decodeInfo(text, infoId) === undefined) {
          await this.#bucket.delete(o.key)
          await this.#removeData(infoId, undefined)
          removed++
        }
        continue
      }
      const id = rest.split('.')[0] ?? ''
      if (!isValidUploadId(id) || o.lastModified > cutoff || (await hasInfo(id))) continue
      await this.#bucket.delete(o.key)
      removed++
    }
    return removed
  }

  /** The upload's state; an upload whose bytes are all stored is completed on the way. */
  async #settled(id: string): Promise<UploadState> {
    checkId(id)
    let text: string | undefined
    try {
      text = await this.#bucket.getText(this.#infoKey(id))
    } catch (err) {
      throw storageError(err, id, 'reading')
    }
    if (text === undefined) throw notFound(id)
    const info = decodeInfo(text, id)
    if (!info) throw damaged(id, 'its info object is not valid')
    try {
      const state = await loadState(this.#bucket, info, {
        dataKey: this.#dataKey(id),
        tailPrefix: this.#tailPrefix(id),
      })
      if (state.completed && !info.finished) {
        // Completed, but killed before the info said so: say so now.
        await this.#putInfo({ ...info, uploadId: undefined, finished: true })
      }
      if (!state.completed && info.size !== undefined && state.offset === info.size) {
        await this.#finish(id, info)
        return { ...state, completed: true, info: { ...info, finished: true } }
      }
      return state
    } catch (err) {
      throw storageError(err, id, 'reading')
    }
  }

  /**
   * Every byte is stored: a final tail becomes the last part, CompleteMultipartUpload from ListParts
   * (contiguous, summing to `size`), HeadObject confirms the length, then the info says finished and
   * the tails go.
   */
  async #finish(id: string, info: StoredInfo): Promise<void> {
    const size = info.size as number
    const dataKey = this.#dataKey(id)
    const uploadId = info.uploadId as string
    if (size === 0) {
      await this.#bucket.put(dataKey, new Uint8Array(0))
      await this.#bucket.abortMultipart(dataKey, uploadId)
    } else {
      let state = await loadState(this.#bucket, info, { dataKey, tailPrefix: this.#tailPrefix(id) })
      if (!state.completed) {
        if (state.tail) {
          const bytes = await this.#bucket.getBytes(state.tail.key)
          await this.#bucket.uploadPart(dataKey, uploadId, state.parts.length + 1, bytes)
          state = await loadState(this.#bucket, info, { dataKey, tailPrefix: this.#tailPrefix(id) })
        }
        const total = state.parts.reduce((n, p) => n + p.size, 0)
        if (total !== size) throw damaged(id, `its parts hold ${total} of ${size} bytes`)
        try {
          await this.#bucket.complete(dataKey, uploadId, state.parts)
        } catch (err) {
          if (!isNotFound(err)) throw err
          // Completed by an earlier attempt that died before it could say so: the length decides.
        }
      }
      const length = await this.#bucket.length(dataKey)
      if (length !== size) throw damaged(id, `its object holds ${length ?? 0} of ${size} bytes`)
    }
    await this.#putInfo({ ...info, uploadId: undefined, finished: true })
    for await (const t of this.#bucket.list(this.#tailPrefix(id)))
      await this.#bucket.delete(t.key).catch(() => {})
  }

  async #sweep(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((k) => this.#bucket.delete(k).catch(() => {})))
  }

  #putInfo(info: StoredInfo): Promise<void> {
    return this.#bucket.put(this.#infoKey(info.id), encodeInfo(info))
  }

  #dataKey(id: string): string {
    return `${this.#prefix}${id}`
  }
  #infoKey(id: string): string {
    return `${this.#prefix}${id}.info`
  }
  #tailPrefix(id: string): string {
    return `${this.#prefix}${id}.tail.`
  }
  #tailKey(id: string, n: number): string {
    return `${this.#tailPrefix(id)}${n}`
  }
  #idOfInfoKey(key: string): string | undefined {
    if (!key.startsWith(this.#prefix) || !key.endsWith('.info')) return undefined
    const id = key.slice(this.#prefix.length, -'.info'.length)
    return isValidUploadId(id) ? id : undefined
  }
}

function stored(upload: NewUpload, uploadId: string | undefined, partSize: number): StoredInfo {
  return {
    version: 1,
    id: upload.id,
    size: upload.size,
    metadata: upload.metadata,
    createdAt: upload.createdAt,
    expiresAt: upload.expiresAt,
    concat: upload.concat,
    // Owner scoping rests on these surviving every rewrite of the info object.
    ...(upload.owner !== undefined ? { owner: upload.owner } : {}),
    ...(upload.publicRead ? { publicRead: true } : {}),
    uploadId,
    partSize,
    finished: false,
  }
}

function toInfo(state: UploadState): UploadInfo {
  const { info } = state
  return {
    id: info.id,
    size: info.size,
    offset: state.offset,
    metadata: info.metadata,
    createdAt: info.createdAt,
    expiresAt: info.expiresAt,
    lastWriteAt: state.lastWriteAt,
    concat: info.concat,
    ...(info.owner !== undefined ? { owner: info.owner } : {}),
    ...(info.publicRead ? { publicRead: true } : {}),
  }
}

function contentType(upload: NewUpload): string | undefined {
  const t = upload.metadata.filetype ?? upload.metadata.type
  return typeof t === 'string' && /^[\w.+-]+\/[\w.+-]+$/.test(t) ? t : undefined
}

function checkId(id: string): void {
  if (!isValidUploadId(id)) throw new TusError('ERR_NOT_FOUND', 404, `Upload ${id.slice(0, 64)} not found`)
}

function lengthExceeded(): TusError {
  return new TusError(
    'ERR_LENGTH_EXCEEDED',
    413,
    'The request body goes past the upload length; the bytes that fit were stored',
  )
}

async function* emptySource(): AsyncIterable<Uint8Array> {}
