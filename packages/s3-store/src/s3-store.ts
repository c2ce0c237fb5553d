import type { S3Client } from '@aws-sdk/client-s3'
import { type ChecksumAlgorithm, TusError, UploadError } from '@shuttle/protocol'
import {
  type ByteSource,
  type DataStore,
  isValidUploadId,
  type NewUpload,
  type StoreExtension,
  shareableFor,
  type UploadInfo,
  type WriteOptions,
} from '@shuttle/server'
import { Bucket } from './bucket.js'
import { IdentityIndex } from './identity-index.js'
import { decodeInfo, encodeInfo, type StoredInfo } from './info-object.js'
import { PartBuffers } from './part-buffers.js'
import { checkPartLimit, partSizeFor } from './part-plan.js'
import { writeParts } from './part-writer.js'
import { requestChecksum } from './request-checksum.js'
import { damaged, isNotFound, notFound, storageError } from './s3-errors.js'
import { Slots } from './slots.js'
import { trustedParts } from './trusted-parts.js'
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
  /**
   * Instant upload (`identity`): a shared upload up to this many bytes is one CopyObject of the
   * finished object; a larger one is a multipart upload of UploadPartCopy ranges (one per part).
   * Default 5 GiB, S3's CopyObject limit (lower it only to exercise the multipart copy).
   */
  maxCopyObjectSize?: number
}

const MiB = 1024 * 1024
const GiB = 1024 * MiB

/**
 * Uploads on S3-compatible storage (AWS S3, Ceph RGW, MinIO), with S3 as the only source of truth
 * so any number of server instances can serve one upload (with a shared locker such as
 * `@shuttle/redis-locker`; the default MemoryLocker is for one instance).
 *
 * - `<prefix><id>.info`: the upload's info and its S3 UploadId and part size P.
 * - `<prefix><id>`: one multipart upload of fixed-size parts: part k holds bytes [(k−1)P, kP).
 * - `<prefix><id>.tail.<n>`: the bytes that will start part n, while fewer than P; deleted only
 *   after the part (or longer tail) holding them is stored, so a crash never loses a confirmed byte.
 * - The offset is contiguous parts (ListParts, every page) + the tail of the next part, counting no
 *   part above the info's `trustedParts` when it is set (parts of a checksummed write not verified
 *   yet, or refused: see trusted-parts.ts).
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
    'checksum',
    'checksum-trailer',
    'identity',
  ])
  /** sha256-4m too: a request from a 4 MiB boundary is checked with the identity's block digests. */
  readonly checksumAlgorithms: readonly ChecksumAlgorithm[] = ['sha1', 'sha256', 'md5', 'sha256-4m']
  readonly #bucket: Bucket
  readonly #prefix: string
  readonly #minPart: number
  readonly #maxSize: number
  readonly #depth: number
  readonly #slots: Slots
  readonly #buffers: PartBuffers
  readonly #identities: IdentityIndex
  readonly #maxCopyObject: number
  /** The state each getUpload read, for the write that follows it under the same lock (see write). */
  readonly #justRead = new Map<string, { state: UploadState; at: number }>()

  constructor(options: S3StoreOptions) {
    this.#bucket = new Bucket(options.client, options.bucket)
    this.#prefix = options.prefix ?? ''
    this.#minPart = options.partSize ?? 8 * MiB
    this.#maxSize = options.maxSize ?? 10_000 * this.#minPart
    this.#depth = options.partsInFlightPerWrite ?? 2
    this.#slots = new Slots(options.partsInFlight ?? 16)
    // Idle part buffers kept for the next writes: as many as one PATCH uses at the smallest P.
    this.#buffers = new PartBuffers(this.#minPart * (this.#depth + 1))
    this.#identities = new IdentityIndex(this.#bucket, this.#prefix)
    this.#maxCopyObject = Math.min(options.maxCopyObjectSize ?? 5 * GiB, 5 * GiB)
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
    const state = await this.#settled(id)
    if (!state.completed) {
      this.#justRead.delete(id)
      if (this.#justRead.size >= 1000) this.#justRead.clear()
      this.#justRead.set(id, { state, at: performance.now() })
    }
    return toInfo(state)
  }

  /**
   * The state to write from. A PATCH reads the upload (getUpload) and then writes, both under its
   * lock: that read is used once, if it is fresh (< 2 s) and at the offset the write starts from,
   * which saves the PATCH a second round of S3 reads (info, ListParts, tails). Another instance
   * writing in between would have moved the offset; anything else reads S3 again.
   */
  async #stateForWrite(id: string, offset: number, lease: WriteOptions['lease']): Promise<UploadState> {
    const recent = this.#justRead.get(id)
    this.#justRead.delete(id)
    if (
      recent &&
      lease &&
      !lease.lost.aborted &&
      recent.state.offset === offset &&
      performance.now() - recent.at < 2000
    )
      return recent.state
    return this.#settled(id)
  }

  async write(id: string, offset: number, body: ByteSource, options: WriteOptions): Promise<number> {
    const state = await this.#stateForWrite(id, offset, options.lease)
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
    const check = options.checksum ? requestChecksum(options.checksum, offset) : undefined
    const trusted = trustedParts(info, state.parts.length + 1, check, (next) => {
      options.lease?.assertHeld()
      return this.#putInfo(next)
    })
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
          // A header checksum's bytes may all be dropped at the end: no offset to report before.
          onProgress:
            check && typeof options.checksum?.digest !== 'function' ? undefined : options.onProgress,
          hash: options.hash,
          depth: this.#depth,
          slots: this.#slots,
          buffers: this.#buffers,
          verify: trusted.verify,
          commit: trusted.commit,
        },
      )
      if (info.size !== undefined && result.offset === info.size) {
        options.lease?.assertHeld()
        await this.#finish(id, trusted.info())
      }
      if (result.overflow) throw lengthExceeded()
      return result.offset
    } catch (err) {
      throw storageError(err, id, 'writing')
    }
  }

  async declareLength(id: string, size: number): Promise<UploadInfo> {
    this.#justRead.delete(id)
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
   * The new upload's fixed-size parts are copied inside S3 (UploadPartCopy with a byte range) from
   * the finished partial uploads, so the bytes never pass through this process; a part that spans
   * two partials is read and uploaded (at most P bytes per part in flight). The info says
   * `finished` only once every part is stored and completed.
   */
  async concatenate(upload: NewUpload, partIds: readonly string[]): Promise<UploadInfo> {
    const partials = await Promise.all(partIds.map((p) => this.#settled(p)))
    const size = partials.reduce((n, p) => n + p.offset, 0)
    await this.create({ ...upload, size })
    if (size === 0) return this.getUpload(upload.id)
    try {
      const { info } = await this.#settled(upload.id)
      await this.#copyParts(info, partials)
      await this.#finish(upload.id, info)
    } catch (err) {
      await this.remove(upload.id).catch(() => {})
      throw storageError(err, upload.id, 'concatenating')
    }
    return this.getUpload(upload.id)
  }

  async #copyParts(info: StoredInfo, partials: readonly UploadState[]): Promise<void> {
    const P = info.partSize
    const size = info.size as number
    const dataKey = this.#dataKey(info.id)
    const uploadId = info.uploadId as string
    const pieces: { state: UploadState; start: number; end: number }[] = []
    let at = 0
    for (const state of partials) {
      if (state.offset > 0) pieces.push({ state, start: at, end: at + state.offset })
      at += state.offset
    }
    const storePart = async (k: number) => {
      const a = (k - 1) * P
      const b = Math.min(k * P, size)
      const inside = pieces.filter((p) => p.end > a && p.start < b)
      const only = inside[0]
      if (inside.length === 1 && only && only.state.completed) {
        const source = this.#dataKey(only.state.info.id)
        await this.#bucket.uploadPartCopy(dataKey, uploadId, k, source, a - only.start, b - only.start)
        return
      }
      // Spans partials (or a partial that is only a tail): gather its bytes, then upload them.
      const bytes = Buffer.allocUnsafe(b - a)
      let fill = 0
      for (const p of inside) {
        const from = Math.max(a, p.start) - p.start
        const to = Math.min(b, p.end) - p.start
        for await (const chunk of await this.#readState(p.state, from, to)) {
          bytes.set(chunk, fill)
          fill += chunk.length
        }
      }
      if (fill !== bytes.length) throw damaged(info.id, `part ${k} got ${fill} of ${bytes.length} bytes`)
      await this.#bucket.uploadPart(dataKey, uploadId, k, bytes)
    }
    const count = Math.ceil(size / P)
    let next = 1
    // A few parts at once, within the store-wide cap: memory stays at most P per buffered part.
    const worker = async () => {
      while (next <= count) {
        const k = next++
        await this.#slots.run(() => storePart(k))
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.#depth, count) }, worker))
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

  async #readState(state: UploadState, start: number, end: number): Promise<ByteSource> {
    const { id } = state.info
    if (end <= start) return emptySource()
    try {
      if (state.completed) return await this.#bucket.getRange(this.#dataKey(id), start, end)
      if (state.parts.length === 0 && state.tail)
        return await this.#bucket.getRange(state.tail.key, start, end)
    } catch (err) {
      // The object went away since the info was read: removed meanwhile.
      if (isNotFound(err)) throw notFound(id)
      throw storageError(err, id, 'reading')
    }
    throw incomplete(id, state.offset)
  }

  /**
   * (`identity`) The finished upload's identity was checked against its bytes: the info says so
   * first, then the index lists it (an entry is trusted only once the info says verified).
   */
  async recordIdentity(id: string): Promise<UploadInfo> {
    this.#justRead.delete(id)
    const state = await this.#settled(id)
    const { identity } = state.info
    if (identity === undefined) throw new Error(`Upload ${id} declared no identity`)
    if (!state.completed) throw incomplete(id, state.offset)
    const verified: StoredInfo = {
      ...state.info,
      uploadId: undefined,
      finished: true,
      identityVerified: true,
      trustedParts: undefined,
    }
    try {
      await this.#putInfo(verified)
      await this.#identities.add(identity, id)
    } catch (err) {
      throw storageError(err, id, 'recording the identity of')
    }
    return toInfo({ ...state, info: verified })
  }

  /** (`identity`) A finished, verified upload with this identity and length in `owner`'s scope. */
  async findFinishedByIdentity(
    identity: string,
    size: number,
    owner: string | undefined,
  ): Promise<UploadInfo | undefined> {
    for (const id of await this.#identities.ids(identity)) {
      let upload: UploadInfo
      try {
        upload = toInfo(await this.#settled(id))
      } catch (err) {
        // Removed (a crash between deleting the entry and the info, or mid-remove): the entry goes too.
        if (err instanceof TusError && err.status === 404)
          await this.#identities.remove(identity, id).catch(() => {})
        continue
      }
      if (shareableFor(upload, identity, size, owner)) return upload
    }
    return undefined
  }

  /**
   * (`identity`) The empty upload `targetId` gets its own copy of the finished upload `sourceId`'s
   * object, made inside S3 (CopyObject up to `maxCopyObjectSize`, else a multipart upload of
   * UploadPartCopy ranges): no byte passes through this process, and since the two objects are
   * independent, removing either never breaks the other. Order for crashes: the copy, then the
   * target's unused multipart upload is aborted, then its info says finished. A crash before the
   * abort leaves the target at offset 0 (resumable; the copy is overwritten or removed with it); a
   * crash after it leaves an object of exactly `size` bytes, which the next read counts as finished.
   */
  async shareFrom(sourceId: string, targetId: string): Promise<UploadInfo> {
    this.#justRead.delete(targetId)
    const source = await this.#settled(sourceId)
    if (!source.completed) throw incomplete(sourceId, source.offset)
    const target = await this.#settled(targetId)
    const size = source.offset
    if (target.completed || target.offset !== 0 || target.info.size !== size) {
      throw new TusError(
        'ERR_OFFSET_MISMATCH',
        409,
        `Upload ${targetId} is not an empty upload of ${size} bytes; only such an upload can share a stored file`,
      )
    }
    const dataKey = this.#dataKey(targetId)
    try {
      try {
        if (size <= this.#maxCopyObject) {
          await this.#bucket.copyObject(dataKey, this.#dataKey(sourceId), contentType(target.info))
        } else {
          await this.#copyMultipart(target.info, source)
        }
      } catch (err) {
        // The source's object went away meanwhile (removed by another request).
        if (isNotFound(err)) throw notFound(sourceId)
        throw err
      }
      const length = await this.#bucket.length(dataKey)
      if (length !== size) throw damaged(targetId, `its copy holds ${length ?? 0} of ${size} bytes`)
      if (target.info.uploadId) await this.#bucket.abortMultipart(dataKey, target.info.uploadId)
      const shared: StoredInfo = {
        ...target.info,
        size,
        ...(source.info.identity !== undefined ? { identity: source.info.identity } : {}),
        identityVerified: true,
        uploadId: undefined,
        finished: true,
        trustedParts: undefined,
      }
      await this.#putInfo(shared)
      if (shared.identity !== undefined) await this.#identities.add(shared.identity, targetId)
    } catch (err) {
      throw storageError(err, targetId, 'sharing a stored file into')
    }
    return this.getUpload(targetId)
  }

  /**
   * Above CopyObject's 5 GiB: a multipart upload of its own on the target's key (not the target's,
   * which stays empty until the copy is whole), one UploadPartCopy per fixed-size part, completed.
   * Any failure aborts it, so the target is untouched.
   */
  async #copyMultipart(target: StoredInfo, source: UploadState): Promise<void> {
    const dataKey = this.#dataKey(target.id)
    const uploadId = await this.#bucket.createMultipart(dataKey, contentType(target))
    try {
      await this.#copyParts({ ...target, uploadId }, [source])
      const parts = await this.#bucket.listParts(dataKey, uploadId)
      const total = parts.reduce((n, p) => n + p.size, 0)
      if (total !== source.offset)
        throw damaged(target.id, `its copy holds ${total} of ${source.offset} bytes`)
      await this.#bucket.complete(dataKey, uploadId, parts)
    } catch (err) {
      await this.#bucket.abortMultipart(dataKey, uploadId).catch(() => {})
      throw err
    }
  }

  async remove(id: string): Promise<void> {
    checkId(id)
    this.#justRead.delete(id)
    let text: string | undefined
    try {
      text = await this.#bucket.getText(this.#infoKey(id))
    } catch (err) {
      throw storageError(err, id, 'removing')
    }
    if (text === undefined) throw notFound(id)
    const info = decodeInfo(text, id)
    try {
      // The index entry before the info: an entry without its upload is skipped and swept by readers.
      if (info?.identity !== undefined) await this.#identities.remove(info.identity, id)
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
   * info object (killed between CreateMultipartUpload and the info PUT, or mid-remove), multipart
   * uploads on an upload's key other than the one its info names (killed mid-copy of an instant
   * upload), and uploads whose info is damaged.
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
      if (!isValidUploadId(id) || u.initiated > cutoff) continue
      if (await hasInfo(id)) {
        const text = await this.#bucket.getText(this.#infoKey(id))
        const info = text === undefined ? undefined : decodeInfo(text, id)
        // A damaged info is handled below (all of its upload goes); a live one keeps its own.
        if (info === undefined || info.uploadId === u.uploadId) continue
      }
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
        await this.#putInfo({ ...info, uploadId: undefined, finished: true, trustedParts: undefined })
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
    await this.#putInfo({ ...info, uploadId: undefined, finished: true, trustedParts: undefined })
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
    ...(upload.identity !== undefined ? { identity: upload.identity } : {}),
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
    ...(info.identity !== undefined ? { identity: info.identity } : {}),
    ...(info.identityVerified ? { identityVerified: true } : {}),
  }
}

function contentType(upload: NewUpload): string | undefined {
  const t = upload.metadata.filetype ?? upload.metadata.type
  return typeof t === 'string' && /^[\w.+-]+\/[\w.+-]+$/.test(t) ? t : undefined
}

function checkId(id: string): void {
  if (!isValidUploadId(id)) throw new TusError('ERR_NOT_FOUND', 404, `Upload ${id.slice(0, 64)} not found`)
}

function incomplete(id: string, offset: number): TusError {
  return new TusError(
    'ERR_INCOMPLETE',
    409,
    `Upload ${id} is not finished (${offset} bytes stored); download it once complete`,
  )
}

function lengthExceeded(): TusError {
  return new TusError(
    'ERR_LENGTH_EXCEEDED',
    413,
    'The request body goes past the upload length; the bytes that fit were stored',
  )
}

async function* emptySource(): AsyncIterable<Uint8Array> {}
