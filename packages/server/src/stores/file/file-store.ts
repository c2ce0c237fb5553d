import { timingSafeEqual } from 'node:crypto'
import { createReadStream, createWriteStream, readFileSync, statSync } from 'node:fs'
import { link, mkdir, open, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { type ChecksumAlgorithm, STATUS_CHECKSUM_MISMATCH, TusError } from '@shuttle/protocol'
import { createChecksumHash } from '../../digest/checksum-hash.js'
import { shareableFor } from '../../identity/shareable.js'
import { isValidUploadId } from '../../ids.js'
import { FileLocker, removeStaleLockFiles } from '../../lockers/file-locker.js'
import { isOutOfSpace, outOfSpace } from '../../out-of-space.js'
import type {
  ByteSource,
  DataStore,
  Locker,
  NewUpload,
  RunningHash,
  StoreExtension,
  UploadInfo,
  WriteOptions,
} from '../../types.js'
import { copyInto } from './copy-into.js'
import { createWriteGuard, onThisThread, type WriteGuard } from './file-writer.js'
import { IdentityIndex } from './identity-index.js'
import { MalformedInfoError, readInfo, readInfoSync, writeInfo } from './info-file.js'
import { readSegments } from './read-segments.js'
import { streamToFile } from './stream-to-file.js'

export interface FileStoreOptions {
  /**
   * Created if missing. Holds `<id>` (bytes) and `<id>.json` (info) per upload; a concatenated
   * upload holds its parts' files, hard-linked, as `<id>.0`, `<id>.1`, … instead of `<id>`.
   */
  directory: string
  /**
   * Where bytes are written: 'auto' (default) on the main thread while writes take microseconds (the
   * page cache), moving to the thread pool for 30 s after three take over 20 ms within 2 s and are
   * at least 1 in 8 of the writes since the first of them; 'thread-pool' always (network file
   * systems, disks slower than the uploads).
   */
  writes?: 'auto' | 'thread-pool'
}

const PROGRESS_INTERVAL_MS = 100
const COPY_HIGH_WATER_MARK = 4 * 1024 * 1024

/**
 * Uploads on the local disk. The offset is the data file's size, so after a crash (even
 * kill -9) HEAD reports exactly the bytes on disk. A checksummed chunk is written into the data
 * file behind a `<id>.pending` marker and counts only once verified (see #writeVerified).
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
    'checksum-trailer',
    'identity',
  ])
  /** sha256-4m too: a request from a 4 MiB boundary is checked with the identity's block digests. */
  readonly checksumAlgorithms: readonly ChecksumAlgorithm[] = ['sha1', 'sha256', 'md5', 'sha256-4m']
  readonly directory: string
  #ready: Promise<void> | undefined
  readonly #guard: WriteGuard
  readonly #identities: IdentityIndex

  constructor(options: FileStoreOptions) {
    this.directory = resolve(options.directory)
    this.#guard = createWriteGuard(options.writes)
    this.#identities = new IdentityIndex(this.directory)
  }

  async create(upload: NewUpload): Promise<UploadInfo> {
    try {
      await this.#ensureDirectory()
      // Data first: an info file without data never exists, an orphan empty data file is harmless.
      await writeFile(this.#dataPath(upload.id), new Uint8Array(0), { flag: 'wx' })
      try {
        await writeInfo(this.#infoPath(upload.id), upload)
      } catch (err) {
        await rm(this.#dataPath(upload.id), { force: true })
        throw err
      }
    } catch (err) {
      throw fsError(err, upload.id)
    }
    return { ...upload, offset: 0, lastWriteAt: upload.createdAt }
  }

  /** Locks across every process that uses this directory (see FileLocker). */
  defaultLocker(): Locker {
    return new FileLocker({ directory: this.directory })
  }

  async getUpload(id: string): Promise<UploadInfo> {
    return (await this.#load(id)).upload
  }

  /** The upload and, for a concatenation kept as linked parts, the lengths of its segments. */
  async #load(id: string): Promise<{ upload: UploadInfo; segments: readonly number[] | undefined }> {
    try {
      // While the guard keeps writes on the main thread, so are these small reads: each thread-pool
      // handoff costs a wake-up of another thread, several per PATCH (see file-writer.ts).
      const [info, st, pending] = this.#guard.threadPool()
        ? ([
            ...(await Promise.allSettled([readInfo(this.#infoPath(id)), stat(this.#dataPath(id))])),
            // After the size: a chunk begun in between counts as unverified, never the other way.
            ...(await Promise.allSettled([readPending(this.#pendingPath(id))])),
          ] as const)
        : onThisThread(
            this.#guard,
            () =>
              [
                settle(() => readInfoSync(this.#infoPath(id))),
                settle(() => statSync(this.#dataPath(id))),
                settle(() => readPendingSync(this.#pendingPath(id))),
              ] as const,
          )
      if (info.status === 'rejected') throw damagedOr(info.reason, id)
      const { segments, ...upload } = info.value
      // Linked parts are complete and never written again: the offset is the recorded size.
      if (segments) {
        return { upload: { ...upload, offset: upload.size ?? 0, lastWriteAt: upload.createdAt }, segments }
      }
      if (st.status === 'rejected') throw st.reason
      // The data file's mtime is the last write: no extra I/O on the PATCH path to track activity.
      const lastWriteAt = Math.max(upload.createdAt, Math.floor(st.value.mtimeMs))
      // A checksummed chunk being written (or cut by a crash) is not verified: it does not count.
      if (pending.status === 'rejected') throw pending.reason
      const verified = pending.value
      const offset = verified === undefined ? st.value.size : Math.min(verified, st.value.size)
      return { upload: { ...upload, offset, lastWriteAt }, segments }
    } catch (err) {
      throw fsError(err, id)
    }
  }

  async write(id: string, offset: number, source: ByteSource, options: WriteOptions): Promise<number> {
    // Node streams keep the fast path (no async iteration); other byte sources are adapted once.
    const body = source instanceof Readable ? source : Readable.from(source, { objectMode: false })
    await this.#dropUnverified(id, options).catch((err: unknown) => {
      throw fsError(err, id)
    })
    if (options.checksum && typeof options.checksum.digest === 'function') {
      return this.#writeTrailerVerified(id, offset, body, options).catch((err: unknown) => {
        throw fsError(err, id)
      })
    }
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
      expectSize: offset,
      maxBytes: options.maxBytes,
      signal: options.signal,
      lease: options.lease,
      guard: this.#guard,
      hash: options.hash,
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

  /**
   * A checksum in a trailer: the body goes straight into the data file (no chunk file, no copy: this
   * is the one-request path), hashed as it arrives, and once it ended the trailer decides. A mismatch
   * truncates the file back to `offset`, so none of the body counts. A body cut off before its end
   * cannot be verified and is kept like an unchecked PATCH (the upload stays resumable); its bytes
   * are still covered by the whole upload's Repr-Digest at the end.
   */
  async #writeTrailerVerified(
    id: string,
    offset: number,
    body: Readable,
    options: WriteOptions,
  ): Promise<number> {
    const checksum = options.checksum!
    const running = options.hash
    const own = checksum.shared ? undefined : createChecksumHash(checksum.algorithm)
    const result = await streamToFile(body, {
      path: this.#dataPath(id),
      flags: 'r+',
      start: offset,
      expectSize: offset,
      maxBytes: options.maxBytes,
      signal: options.signal,
      lease: options.lease,
      guard: this.#guard,
      hash: own && running ? both(own, running) : (own ?? running),
      onBytes: progressEvery(offset, options.onProgress),
    })
    if (result.overflow) throw lengthExceeded()
    if (!result.ended) return offset + result.written
    let expected: Uint8Array | undefined
    let digest: Uint8Array
    try {
      expected = (checksum.digest as () => Uint8Array | undefined)()
      digest = own ? own.digest() : checksum.shared!.digest()
    } catch (err) {
      await this.#truncate(id, offset, options)
      throw err
    }
    if (expected === undefined || !sameDigest(digest, expected)) {
      await this.#truncate(id, offset, options)
      throw new TusError(
        'ERR_CHECKSUM_MISMATCH',
        STATUS_CHECKSUM_MISMATCH,
        expected === undefined
          ? `The request announced an Upload-Checksum trailer but sent none; none of its ${result.written} bytes were kept. Send them again from offset ${offset}.`
          : `The Upload-Checksum trailer does not match the ${checksum.algorithm} of the ${result.written} bytes received; none were kept. Send them again from offset ${offset}.`,
      )
    }
    return offset + result.written
  }

  /** Drops what a refused body appended: the upload ends at `offset` again. */
  async #truncate(id: string, offset: number, options: WriteOptions): Promise<void> {
    options.lease?.assertHeld()
    await truncate(this.#dataPath(id), offset)
  }

  /**
   * A checksummed chunk goes straight into the data file (one write of each byte), after
   * `<id>.pending` recorded the offset before it: while that file exists the upload's offset is at
   * most the recorded one, so neither a reader during the write nor a server restarted after a crash
   * mid-chunk counts a byte that was not verified. A verified chunk removes the marker; a refused or
   * cut-off one is truncated away first. (The marker is not fsynced: like the data file's size, it
   * is kept for a crash of the process, not of the machine.)
   */
  async #writeVerified(id: string, offset: number, body: Readable, options: WriteOptions): Promise<number> {
    const checksum = options.checksum!
    const pending = this.#pendingPath(id)
    const own = checksum.shared ? undefined : createChecksumHash(checksum.algorithm)
    options.lease?.assertHeld()
    await writeFile(pending, String(offset))
    let written = 0
    let kept = false
    try {
      const result = await streamToFile(body, {
        path: this.#dataPath(id),
        flags: 'r+',
        start: offset,
        expectSize: offset,
        maxBytes: options.maxBytes,
        signal: options.signal,
        lease: options.lease,
        guard: this.#guard,
        hash: own && options.hash ? both(own, options.hash) : (own ?? options.hash),
      })
      written = result.written
      if (result.overflow) throw lengthExceeded()
      // A cut-off chunk cannot be verified, so none of it is kept.
      if (!result.ended) return offset
      const digest = own ? own.digest() : checksum.shared!.digest()
      if (!sameDigest(digest, checksum.digest as Uint8Array)) {
        throw new TusError(
          'ERR_CHECKSUM_MISMATCH',
          STATUS_CHECKSUM_MISMATCH,
          `Upload-Checksum does not match the ${checksum.algorithm} of the ${result.written} bytes received; none were kept. Send the chunk again from the same offset.`,
        )
      }
      kept = true
      return offset + result.written
    } finally {
      // A lost lock leaves the marker to the next holder (#dropUnverified), which may be writing now.
      if (isHeld(options)) {
        if (!kept && written > 0) await truncate(this.#dataPath(id), offset)
        await rm(pending, { force: true })
      }
    }
  }

  /** Truncates what a checksummed chunk cut by a crash left past its recorded offset; drops the marker. */
  async #dropUnverified(id: string, options: WriteOptions): Promise<void> {
    const pending = this.#pendingPath(id)
    const verified = this.#guard.threadPool()
      ? await readPending(pending)
      : onThisThread(this.#guard, () => readPendingSync(pending))
    if (verified === undefined) return
    options.lease?.assertHeld()
    const { size } = await stat(this.#dataPath(id))
    if (size > verified) await truncate(this.#dataPath(id), verified)
    await rm(pending, { force: true })
  }

  async declareLength(id: string, size: number): Promise<UploadInfo> {
    const current = await this.getUpload(id)
    const next = { ...current, size }
    await writeInfo(this.#infoPath(id), next)
    return next
  }

  /**
   * Links each finished part's data file as one segment of the new upload: O(parts), no byte is
   * copied, and deleting a part later leaves the final upload whole (the link keeps the inode). The
   * parts are finished, so nothing writes to those files again. Where the file system has no hard
   * links, the bytes are copied into one data file instead.
   */
  async concatenate(upload: NewUpload, partIds: readonly string[]): Promise<UploadInfo> {
    await this.#ensureDirectory()
    const linked: string[] = []
    try {
      const lengths = await Promise.all(partIds.map((id) => this.getUpload(id).then((u) => u.offset)))
      const segments: number[] = []
      for (const [i, partId] of partIds.entries()) {
        if (lengths[i] === 0) continue
        const to = this.#segmentPath(upload.id, segments.length)
        await link(this.#dataPath(partId), to)
        linked.push(to)
        segments.push(lengths[i] as number)
      }
      const size = segments.reduce((a, b) => a + b, 0)
      // The info is written last: a crash before it leaves links nobody can address, not a wrong upload.
      await writeInfo(this.#infoPath(upload.id), { ...upload, size }, segments)
      return { ...upload, size, offset: size, lastWriteAt: upload.createdAt }
    } catch (err) {
      await Promise.all(linked.map((p) => rm(p, { force: true })))
      const code = (err as NodeJS.ErrnoException).code
      if (
        code === 'EPERM' ||
        code === 'ENOTSUP' ||
        code === 'EOPNOTSUPP' ||
        code === 'EMLINK' ||
        code === 'EXDEV'
      ) {
        return this.#concatenateByCopy(upload, partIds)
      }
      throw concatError(err, upload.id)
    }
  }

  async #concatenateByCopy(upload: NewUpload, partIds: readonly string[]): Promise<UploadInfo> {
    const dataPath = this.#dataPath(upload.id)
    await writeFile(dataPath, new Uint8Array(0), { flag: 'wx' })
    let offset = 0
    try {
      // The info file is written only once every byte is in place, so a crash mid-copy leaves an
      // orphan data file nobody can address, not a wrong upload.
      const data = await open(dataPath, 'r+')
      try {
        const buffer = Buffer.allocUnsafe(COPY_HIGH_WATER_MARK)
        for (const partId of partIds) offset += await copyInto(data, offset, this.#dataPath(partId), buffer)
      } finally {
        await data.close()
      }
    } catch (err) {
      await rm(dataPath, { force: true })
      throw concatError(err, upload.id)
    }
    await writeInfo(this.#infoPath(upload.id), { ...upload, size: offset })
    return { ...upload, size: offset, offset, lastWriteAt: Date.now() }
  }

  async read(id: string, range?: { start: number; end: number }): Promise<Readable> {
    const { upload, segments } = await this.#load(id)
    const start = range?.start ?? 0
    const end = Math.min(range?.end ?? upload.offset, upload.offset)
    if (end <= start) return Readable.from([])
    if (segments) {
      const files = segments.map((length, k) => ({ path: this.#segmentPath(id, k), length }))
      return readSegments(files, start, end, COPY_HIGH_WATER_MARK)
    }
    return createReadStream(this.#dataPath(id), { start, end: end - 1, highWaterMark: COPY_HIGH_WATER_MARK })
  }

  async recordIdentity(id: string): Promise<UploadInfo> {
    const { upload, segments } = await this.#load(id)
    if (upload.identity === undefined) throw new Error(`Upload ${id} declared no identity`)
    const verified = { ...upload, identityVerified: true }
    // The flag first: an index entry is trusted only once the info says verified.
    await writeInfo(this.#infoPath(id), verified, segments)
    await this.#identities.add(upload.identity, id)
    return verified
  }

  async findFinishedByIdentity(
    identity: string,
    size: number,
    owner: string | undefined,
  ): Promise<UploadInfo | undefined> {
    for (const id of await this.#identities.ids(identity)) {
      let upload: UploadInfo
      try {
        upload = await this.getUpload(id)
      } catch (err) {
        // Removed (a crash between removing the info and the entry): the entry goes too.
        if (err instanceof TusError && err.status === 404) await this.#identities.remove(identity, id)
        continue
      }
      if (shareableFor(upload, identity, size, owner)) return upload
    }
    return undefined
  }

  /**
   * Hard-links the source's data file in place of the target's (empty) one: no byte copied, and
   * since both names point at one inode, removing either leaves the other whole. Finished files are
   * never written again, so sharing is safe. Concatenated sources (several segments) and file
   * systems without hard links get a copy instead.
   *
   * The link is staged as `<target>.chunk`, then the empty data file is removed and the stage
   * renamed to it. Not one rename over the empty file: on ext4 (auto_da_alloc, the default) a
   * rename that replaces a file first starts writeback of every dirty page of the renamed inode, and
   * right after the source was uploaded that is up to its whole size: 300–460 ms for 1 GiB here. A
   * crash between the removal and the rename leaves an info file without data: the upload answers
   * 404 (its client starts a new one) and removeLeftovers removes it.
   */
  async shareFrom(sourceId: string, targetId: string): Promise<UploadInfo> {
    const { upload: source, segments } = await this.#load(sourceId)
    const target = await this.getUpload(targetId)
    const staged = this.#chunkPath(targetId)
    let emptied = false
    try {
      let linked = false
      if (!segments) {
        try {
          await link(this.#dataPath(sourceId), staged)
          linked = true
        } catch (err) {
          if (!isNoLink(err)) throw err
        }
      }
      if (!linked) await pipeline(await this.read(sourceId), createWriteStream(staged, { flags: 'w' }))
      await rm(this.#dataPath(targetId))
      emptied = true
      await rename(staged, this.#dataPath(targetId))
    } catch (err) {
      await rm(staged, { force: true })
      // The rename failed after the removal (rare): the target stays what it was, an empty upload.
      if (emptied)
        await writeFile(this.#dataPath(targetId), new Uint8Array(0), { flag: 'wx' }).catch(() => {})
      throw fsError(err, sourceId)
    }
    const shared = { ...target, identity: source.identity, identityVerified: true, size: source.offset }
    await writeInfo(this.#infoPath(targetId), shared)
    if (source.identity !== undefined) await this.#identities.add(source.identity, targetId)
    return this.getUpload(targetId)
  }

  async remove(id: string): Promise<void> {
    let segments: number
    try {
      const info = await readInfo(this.#infoPath(id))
      segments = info.segments?.length ?? 0
      if (info.identity !== undefined) await this.#identities.remove(info.identity, id)
    } catch (err) {
      const damaged = damagedOr(err, id)
      if (!isDamaged(damaged)) throw fsError(err, id)
      await this.#removeAll(id)
      return
    }
    try {
      // Info first: once it is gone the upload is gone, whatever happens to the data files.
      await rm(this.#infoPath(id))
    } catch (err) {
      throw fsError(err, id)
    }
    const files = [this.#dataPath(id), this.#chunkPath(id), this.#pendingPath(id)]
    for (let k = 0; k < segments; k++) files.push(this.#segmentPath(id, k))
    await Promise.all(files.map((f) => rm(f, { force: true })))
  }

  /** Every file of an upload whose info cannot say which it has (a damaged one); the info goes last. */
  async #removeAll(id: string): Promise<void> {
    checkId(id)
    const names = await readdir(this.directory)
    const own = names.filter((n) => n === id || (n.startsWith(`${id}.`) && n !== `${id}.json`))
    await Promise.all(own.map((n) => rm(join(this.directory, n), { force: true })))
    await rm(this.#infoPath(id), { force: true })
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

  /**
   * Files a crash leaves that no upload owns, untouched for `olderThanMs`: a data file or linked
   * segments whose info file was never written (killed between the two), an info temp file
   * (killed before its rename), a checksummed chunk (killed mid-verify; every verified write starts
   * a fresh one); an upload whose info file is damaged (empty, cut, not JSON, invalid); lock files
   * of the FileLocker nobody renewed. Anything else in the directory is not ours and stays.
   */
  async removeLeftovers(olderThanMs: number): Promise<number> {
    return (
      (await this.#removeCrashLeftovers(olderThanMs)) +
      (await removeStaleLockFiles(this.directory, olderThanMs))
    )
  }

  async #removeCrashLeftovers(olderThanMs: number): Promise<number> {
    let names: string[]
    try {
      names = await readdir(this.directory)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0
      throw err
    }
    const present = new Set(names)
    const cutoff = Date.now() - olderThanMs
    let removed = 0
    for (const name of names) {
      const m = /^([A-Za-z0-9_-]+)(?:\.(\d+|chunk|pending|json|json\.[0-9a-f]+\.tmp))?$/.exec(name)
      const id = m?.[1]
      if (!m || id === undefined || !isValidUploadId(id)) continue
      // Bytes (data file, segment) and the pending marker (which keeps unverified bytes out of the
      // offset) are leftovers only without an info file; temp files and staged copies always.
      const bytes = m[2] === undefined || m[2] === 'pending' || /^\d+$/.test(m[2])
      if (bytes && present.has(`${id}.json`)) continue
      if (m[2] === 'json') {
        removed += await this.#removeIfBroken(id, cutoff, present.has(id))
        continue
      }
      try {
        const st = await stat(join(this.directory, name))
        if (!st.isFile() || st.mtimeMs > cutoff) continue
        // The info may have appeared since the listing (a creation that just finished).
        if (bytes && (await exists(this.#infoPath(id)))) continue
        await rm(join(this.directory, name), { force: true })
        removed++
      } catch {
        // Gone meanwhile: nothing to do.
      }
    }
    return removed
  }

  /**
   * Removes the upload if its info file is damaged, or is whole but has no data file (a crash in
   * the middle of shareFrom), and is older than `cutoff`; 1 when it did.
   */
  async #removeIfBroken(id: string, cutoff: number, hasData: boolean): Promise<number> {
    try {
      const info = await readInfo(this.#infoPath(id))
      if (info.segments || hasData || (await exists(this.#dataPath(id)))) return 0
    } catch (err) {
      if (!isDamaged(damagedOr(err, id))) return 0
    }
    const st = await stat(this.#infoPath(id)).catch(() => undefined)
    if (!st || st.mtimeMs > cutoff) return 0
    await this.#removeAll(id)
    return 1
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
  /** Exists while a checksummed chunk is written into the data file: the verified offset before it. */
  #pendingPath(id: string): string {
    return join(this.directory, `${checkId(id)}.pending`)
  }
  #segmentPath(id: string, k: number): string {
    return join(this.directory, `${checkId(id)}.${k}`)
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

function checkId(id: string): string {
  if (!isValidUploadId(id)) throw new TusError('ERR_NOT_FOUND', 404, 'Upload not found')
  return id
}

function concatError(err: unknown, id: string): unknown {
  const partGone =
    (err as NodeJS.ErrnoException).code === 'ENOENT' || (err instanceof TusError && err.status === 404)
  if (partGone) {
    return new TusError(
      'ERR_CONCAT',
      400,
      'A partial upload was removed during concatenation; nothing was created',
      { cause: err },
    )
  }
  return fsError(err, id)
}

/** Maps file-system errors clients can act on; the rest stay internal (500). */
function fsError(err: unknown, id: string): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOENT') return new TusError('ERR_NOT_FOUND', 404, `Upload ${id} not found`, { cause: err })
  if (isOutOfSpace(err)) return outOfSpace(err)
  return err
}

/**
 * An info file that exists but cannot be read as one (empty, cut short, not JSON, invalid) makes
 * its upload damaged: 410 to every request but DELETE, which removes it. Other errors pass.
 */
function damagedOr(err: unknown, id: string): unknown {
  if (err instanceof SyntaxError || err instanceof MalformedInfoError) {
    return new TusError(
      'ERR_DAMAGED',
      410,
      `Upload ${id} is damaged (its info file cannot be read) and cannot be resumed; DELETE it and upload the file again`,
      { cause: err },
    )
  }
  return err
}

function isDamaged(err: unknown): boolean {
  return err instanceof TusError && err.code === 'ERR_DAMAGED'
}

function lengthExceeded(): TusError {
  return new TusError(
    'ERR_LENGTH_EXCEEDED',
    413,
    'The request body goes past Upload-Length; the bytes beyond it were not stored. HEAD the upload to learn its offset.',
  )
}

function isNoLink(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code
  return (
    code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EMLINK' || code === 'EXDEV'
  )
}

/** Reads a pending marker: the verified offset, or undefined when there is none. */
async function readPending(path: string): Promise<number | undefined> {
  try {
    return parsePending(await readFile(path, 'utf8'))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** readPending on this thread (see #load). */
function readPendingSync(path: string): number | undefined {
  try {
    return parsePending(readFileSync(path, 'utf8'))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

function parsePending(text: string): number | undefined {
  const n = Number(text)
  // Cut while being written (empty): nothing past it was written yet, so the data file is whole.
  return text === '' || !Number.isSafeInteger(n) || n < 0 ? undefined : n
}

function isHeld(options: WriteOptions): boolean {
  try {
    options.lease?.assertHeld()
    return true
  } catch {
    return false
  }
}

function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Feeds every byte to two hashes. */
function both(a: { update(d: Uint8Array): unknown }, b: RunningHash): { update(d: Uint8Array): unknown } {
  return {
    update(d) {
      a.update(d)
      b.update(d)
    },
  }
}

/** The in-between offsets of a long write, at most every PROGRESS_INTERVAL_MS. */
function progressEvery(offset: number, onProgress: ((o: number) => void) | undefined) {
  if (!onProgress) return undefined
  let last = Date.now()
  return (written: number) => {
    const now = Date.now()
    if (now - last < PROGRESS_INTERVAL_MS) return
    last = now
    onProgress(offset + written)
  }
}

function settle<T>(call: () => T): PromiseSettledResult<T> {
  try {
    return { status: 'fulfilled', value: call() }
  } catch (reason) {
    return { status: 'rejected', reason }
  }
}
