import {
  encodeBase64,
  HttpStatusError,
  IDENTITY_BLOCK_SIZE,
  PATCH_CONTENT_TYPE,
  UploadError,
} from '@shuttle/protocol'
import { blockCount, combineBlockDigests } from '../../identity/sha256-4m.js'
import type { FileSource, HttpResponse, RequestBody, RequestTrailer } from '../../ports.js'
import { statusError } from '../http.js'
import type { TransportContext } from '../transport.js'
import { headUpload, readOffset, tusHeaders } from './tus-http.js'
import type { FileDigest } from './verify.js'

export interface PatchTarget {
  url: string
  /** File byte where this upload's offset 0 lies (0, or the start of a concatenation part). */
  rangeStart: number
  /** Bytes this upload holds. */
  length: number
  /** Upload offset the server reported. */
  offset: number
  /** Checksum algorithm to use, when the server supports it. */
  checksum?: 'sha1' | 'sha256'
  /**
   * One streamed request (chunkSize Infinity) sends its sha256 as a trailer (the server lists
   * checksum-trailer and the HttpClient can send trailers); else such a request carries no checksum.
   */
  trailer?: boolean
  /** The file's SHA-256, fed with the bytes as they are read (only for an upload of the whole file). */
  file?: FileDigest
  /**
   * The file's 4 MiB block digests (its identity's), when the server takes `sha256-4m` checksums:
   * a chunk from a block boundary to one (or to the file's end) is checksummed from them, with no
   * hashing of its bytes. A chunk refused with 460 is sent again with its own sha256 (`checksum`).
   */
  blocks?: { digests: readonly Uint8Array[]; fileSize: number }
  /**
   * The upload is checked by its content identity (declared at creation, confirmed by the server at
   * completion), so neither side computes the file's SHA-256 (`file` is undefined).
   */
  byIdentity?: boolean
  /** The server said a trailer announced never arrived (Upload-Checksum-Trailer: missing). */
  onTrailerLost?(): void
  /** Called with the upload offset the server confirmed / the bytes in flight for this upload. */
  onConfirmed(offset: number): void
  onSent(offset: number): void
}

// A 409 means our offset is stale; we HEAD and continue. More than this many in a row is a bug.
const MAX_CONFLICTS = 3
// A 460 means the bytes were damaged on the way and the server kept none: they are sent again at
// once. More than this many in a row for the same bytes is not line noise; the engine's retries
// (with their delays) take over.
export const MAX_CHECKSUM_MISMATCHES = 5

// A chunk sent and not yet confirmed, per source: an attempt redone after a 401 (or a cut
// connection) sends the same bytes and checksum again at once instead of reading and hashing them
// again, so the request goes out while the fresh token is fresh (short-lived tokens, busy pages).
interface Unconfirmed {
  start: number
  end: number
  /** 'derived' (sha256-4m from the block digests) or the algorithm hashed over the bytes. */
  kind: string
  header: string
  bytes: Uint8Array
}
/** A chunk read (and checksummed) ahead, while the chunk before it is on the way. */
interface Ahead {
  start: number
  end: number
  kind: string
  chunk: Promise<Unconfirmed>
}
const unconfirmed = new WeakMap<FileSource, Unconfirmed>()
// The chunk read ahead, per source like `unconfirmed`: an attempt redone after a 401 uses it instead
// of reading it again. Dropped when an attempt is stopped (pause, cancel).
const readAhead = new WeakMap<FileSource, Ahead>()

/**
 * Where a chunk from `offset` ends: the next multiple of `chunkSize`. After a creation-with-upload
 * (or a resume) at an offset that is not a multiple, one shorter PATCH realigns the rest, so every
 * later PATCH ends where a store with parts of `chunkSize` ends a part (an S3 store then never stores
 * and replaces a tail per chunk).
 */
export function alignedEnd(offset: number, chunkSize: number): number {
  return (Math.floor(offset / chunkSize) + 1) * chunkSize
}

/**
 * PATCHes [offset, length) of one upload in chunks ending on multiples of options.chunkSize; resolves when all are
 * confirmed, with the last answer (undefined when nothing was left to send).
 */
export async function patchUntilDone(
  ctx: TransportContext,
  t: PatchTarget,
): Promise<HttpResponse | undefined> {
  try {
    return await patchChunks(ctx, t)
  } catch (err) {
    // An attempt redone at once with fresh credentials (401) uses the chunk read ahead; otherwise
    // (pause, cancel, a backoff) it is not kept in memory while the file waits.
    if (!(err instanceof HttpStatusError && err.status === 401)) readAhead.delete(ctx.source)
    throw err
  }
}

async function patchChunks(ctx: TransportContext, t: PatchTarget): Promise<HttpResponse | undefined> {
  const { chunkSize } = ctx.options
  const streamed = chunkSize === Number.POSITIVE_INFINITY
  let offset = t.offset
  let conflicts = 0
  let mismatches = 0
  let last: HttpResponse | undefined
  // A stored chunk waiting to be fed to the file's SHA-256: done while the next one is on the way.
  let toHash: { start: number; bytes: Uint8Array } | undefined
  const hashStored = async () => {
    const done = toHash
    toHash = undefined
    if (!done || !t.file || t.file.at > done.start) return
    await t.file.seek(done.start, ctx.signal)
    t.file.update(done.bytes)
  }
  while (offset < t.length) {
    const end = Math.min(t.length, streamed ? t.length : alignedEnd(offset, chunkSize))
    const headers = tusHeaders({ 'Upload-Offset': String(offset), 'Content-Type': PATCH_CONTENT_TYPE })
    // RFC 9530: ask for the digest of the stored upload in the answer that finishes it.
    if (t.file) headers['Want-Repr-Digest'] = 'sha-256=10'
    // Checked by its identity instead (the server confirms it at completion): no SHA-256 needed.
    else if (t.byIdentity) headers['Want-Repr-Digest'] = 'sha-256=0'
    const start = t.rangeStart + offset
    let body: RequestBody = { kind: 'range', source: ctx.source, start, end: t.rangeStart + end }
    let trailer: RequestTrailer | undefined
    let chunk: Uint8Array | undefined
    // The checksum comes from the identity's blocks and no file hash needs the bytes: nothing is
    // read here and the chunk goes as a range, like an unverified one (a file on disk in Node, a
    // browser File's slice; an in-memory Blob still sends bytes read, see FileSource.preferBody).
    const rangeOnly =
      t.checksum !== undefined &&
      !streamed &&
      !t.file &&
      mismatches === 0 &&
      (!ctx.source.body || ctx.source.preferBody === true) &&
      derivable(t, start, t.rangeStart + end)
    if (rangeOnly) {
      headers['Upload-Checksum'] = await derivedChecksum(ctx, t, start, t.rangeStart + end)
    } else if (t.checksum && !streamed) {
      // Checksums need the bytes in memory; chunked mode bounds that to one chunk (and one read ahead).
      const fileEnd = t.rangeStart + end
      const derived = mismatches === 0 && derivable(t, start, fileEnd)
      const kind = derived ? 'derived' : t.checksum
      let kept = unconfirmed.get(ctx.source)
      if (!kept || kept.start !== start || kept.end !== fileEnd || kept.kind !== kind) {
        const ahead = readAhead.get(ctx.source)
        const prepared =
          ahead && ahead.start === start && ahead.end === fileEnd && ahead.kind === kind
            ? ahead.chunk
            : readChunk(ctx, t, start, fileEnd, derived)
        if (ahead?.start === start) readAhead.delete(ctx.source)
        kept = await prepared
        unconfirmed.set(ctx.source, kept)
      }
      chunk = kept.bytes
      headers['Upload-Checksum'] = kept.header
      // A browser File's slice goes as the body and the bytes read are only hashed (see
      // FileSource.preferBody); bytes that changed on disk since are what the server's 460 is for.
      if (!ctx.source.preferBody || !ctx.source.body) body = { kind: 'bytes', bytes: chunk }
    } else if (t.checksum === 'sha256' && t.trailer) {
      if (!t.file && mismatches === 0 && derivable(t, start, t.rangeStart + end)) {
        // Known before the first byte (the identity's blocks): nothing is hashed while sending. It
        // still goes as a trailer, so a request cut short keeps what arrived (resumable), and the
        // header tells the server which algorithm to hash with.
        const value = await derivedChecksum(ctx, t, start, t.rangeStart + end)
        headers['Upload-Checksum-Trailer'] = 'sha256-4m'
        trailer = { name: 'Upload-Checksum', observe: () => {}, value: () => value }
      } else trailer = await checksumTrailer(ctx, start, t.file)
    }
    const sentFrom = offset
    const sending = ctx.send({
      method: 'PATCH',
      url: t.url,
      headers,
      body,
      ...(trailer ? { trailer } : {}),
      onUploadProgress: (n) => t.onSent(sentFrom + n),
    })
    // Its failure is taken below, after the work that overlaps it (never left unhandled meanwhile).
    sending.catch(() => {})
    if (chunk && end < t.length) {
      // While this chunk is on the way: read (and checksum) the next one and feed the previous one
      // to the file's hash. One chunk ahead at most, and only the one this loop asks next; a
      // pause aborts the request and the read ahead is dropped.
      const nextStart = t.rangeStart + end
      const nextEnd = t.rangeStart + Math.min(t.length, alignedEnd(end, chunkSize))
      const kind = derivable(t, nextStart, nextEnd) ? 'derived' : (t.checksum as string)
      let ahead = readAhead.get(ctx.source)
      if (!ahead || ahead.start !== nextStart || ahead.end !== nextEnd || ahead.kind !== kind) {
        const chunk = readChunk(ctx, t, nextStart, nextEnd, kind === 'derived')
        chunk.catch(() => {}) // unused if this request fails: the loop reads it again then
        ahead = { start: nextStart, end: nextEnd, kind, chunk }
        readAhead.set(ctx.source, ahead)
      }
      const next = ahead.chunk
      await hashStored()
      await next.catch(() => {})
    } else await hashStored()
    const res = await sending
    if (res.status === 409) {
      // Our offset disagrees with the server's (a lost response, another client): resync and go on.
      if (++conflicts > MAX_CONFLICTS) throw statusError(res, 'PATCH', t.url)
      const head = await headUpload(ctx, t.url)
      if (head.kind === 'missing') throw statusError(res, 'PATCH', t.url)
      offset = head.offset
      t.onConfirmed(offset)
      continue
    }
    if (res.status === 404 || res.status === 410) {
      // The upload vanished mid-way (expired, deleted). Retryable: the next attempt's HEAD sees it
      // gone and starts one fresh upload (upload-restarted).
      throw new UploadError(
        res.status === 404 ? 'ERR_NOT_FOUND' : 'ERR_GONE',
        `PATCH ${t.url} answered ${res.status}`,
        { retryable: true, cause: statusError(res, 'PATCH', t.url) },
      )
    }
    // The trailer never reached the server (a proxy drops trailers): send without it from now on;
    // the whole file is still checked against the server's Repr-Digest at the end.
    if (res.status === 460 && trailer && res.header('upload-checksum-trailer') === 'missing') {
      t.trailer = false
      t.onTrailerLost?.()
      t.onSent(sentFrom)
      continue
    }
    // 460 naming the stored bytes' identity: the whole upload is not the declared file and the server
    // deleted it (instant-upload); sending the chunk again cannot help.
    if (res.status === 460 && res.header('upload-identity') !== undefined) {
      throw statusError(res, 'PATCH', t.url, { code: 'ERR_DIGEST_MISMATCH', retryable: false })
    }
    // 460: the chunk was damaged on the way and the server kept none of it; send it again.
    if (res.status === 460 && t.checksum) {
      ctx.checksumMismatch?.(t.rangeStart + sentFrom)
      if (++mismatches > MAX_CHECKSUM_MISMATCHES) {
        throw statusError(res, 'PATCH', t.url, { code: 'ERR_CHECKSUM_MISMATCH', retryable: true })
      }
      t.onSent(sentFrom)
      continue
    }
    if (res.status < 200 || res.status >= 300) throw statusError(res, 'PATCH', t.url)
    const confirmed = readOffset(res, 'PATCH', t.url)
    // No forward progress would loop forever; treat it like a cut connection.
    if (confirmed <= sentFrom || confirmed > end) {
      throw new UploadError(
        'ERR_OFFSET_MISMATCH',
        `PATCH ${t.url} confirmed offset ${confirmed}, expected ${sentFrom}–${end}`,
        { retryable: true },
      )
    }
    if (t.file && chunk && t.file.at <= start && confirmed === end) {
      // The file's hash takes a chunk once it is stored, so a re-sent chunk is not hashed twice
      // (while the next chunk is on the way, or now after the last).
      toHash = { start, bytes: chunk }
    }
    if (unconfirmed.get(ctx.source)?.start === start) unconfirmed.delete(ctx.source)
    conflicts = 0
    mismatches = 0
    offset = confirmed
    last = res
    t.onConfirmed(offset)
  }
  readAhead.delete(ctx.source)
  await hashStored()
  return last
}

/** Whether [start, end) of the file gets its sha256-4m from the identity's block digests. */
function derivable(t: PatchTarget, start: number, end: number): boolean {
  const b = t.blocks
  return (
    b !== undefined &&
    start % IDENTITY_BLOCK_SIZE === 0 &&
    (end % IDENTITY_BLOCK_SIZE === 0 || end === b.fileSize) &&
    b.digests.length === blockCount(b.fileSize)
  )
}

/** `sha256-4m <base64>` of [start, end) of the file, from the identity's block digests (see derivable). */
async function derivedChecksum(
  ctx: TransportContext,
  t: PatchTarget,
  start: number,
  end: number,
): Promise<string> {
  const digests = (t.blocks as NonNullable<PatchTarget['blocks']>).digests.slice(
    start / IDENTITY_BLOCK_SIZE,
    Math.ceil(end / IDENTITY_BLOCK_SIZE),
  )
  // The range's blocks combine as a whole file's do: its sha256-4m.
  return `sha256-4m ${encodeBase64(await combineBlockDigests(digests, ctx.options.digest))}`
}

/** Reads [start, end) of the file with its Upload-Checksum: derived from the blocks, or hashed. */
async function readChunk(
  ctx: TransportContext,
  t: PatchTarget,
  start: number,
  end: number,
  derived: boolean,
): Promise<Unconfirmed> {
  const bytes = await ctx.source.read(start, end)
  if (derived)
    return { start, end, kind: 'derived', header: await derivedChecksum(ctx, t, start, end), bytes }
  const algorithm = t.checksum as 'sha1' | 'sha256'
  const digest = await ctx.options.digest(algorithm, bytes)
  return { start, end, kind: algorithm, header: `${algorithm} ${encodeBase64(digest)}`, bytes }
}

/**
 * checksum-trailer: the sha256 of this request's body, computed as the HttpClient sends it. From
 * byte 0 of the file it is the file's own hash, so each byte is hashed once.
 */
async function checksumTrailer(
  ctx: TransportContext,
  start: number,
  file: FileDigest | undefined,
): Promise<RequestTrailer> {
  if (file && start === 0) {
    await file.seek(0)
    return {
      name: 'Upload-Checksum',
      observe: (bytes) => file.update(bytes),
      value: () => `sha256 ${encodeBase64(file.digest())}`,
    }
  }
  const own = await ctx.options.sha256()
  if (file) await file.seek(start, ctx.signal)
  return {
    name: 'Upload-Checksum',
    observe: (bytes) => {
      own.update(bytes)
      file?.update(bytes)
    },
    value: () => `sha256 ${encodeBase64(own.digest())}`,
  }
}
