import { encodeBase64, PATCH_CONTENT_TYPE, UploadError } from '@shuttle/protocol'
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
  header: string
  bytes: Uint8Array
}
const unconfirmed = new WeakMap<FileSource, Unconfirmed>()

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
  const { chunkSize } = ctx.options
  const streamed = chunkSize === Number.POSITIVE_INFINITY
  let offset = t.offset
  let conflicts = 0
  let mismatches = 0
  let last: HttpResponse | undefined
  while (offset < t.length) {
    const end = Math.min(t.length, streamed ? t.length : alignedEnd(offset, chunkSize))
    const headers = tusHeaders({ 'Upload-Offset': String(offset), 'Content-Type': PATCH_CONTENT_TYPE })
    // RFC 9530: ask for the digest of the stored upload in the answer that finishes it.
    if (t.file) headers['Want-Repr-Digest'] = 'sha-256=10'
    const start = t.rangeStart + offset
    let body: RequestBody = { kind: 'range', source: ctx.source, start, end: t.rangeStart + end }
    let trailer: RequestTrailer | undefined
    let chunk: Uint8Array | undefined
    if (t.checksum && !streamed) {
      // Checksums need the bytes in memory; chunked mode bounds that to one chunk.
      let kept = unconfirmed.get(ctx.source)
      if (
        !kept ||
        kept.start !== start ||
        kept.end !== t.rangeStart + end ||
        !kept.header.startsWith(t.checksum)
      ) {
        const bytes = await ctx.source.read(start, t.rangeStart + end)
        const digest = await ctx.options.digest(t.checksum, bytes)
        kept = { start, end: t.rangeStart + end, header: `${t.checksum} ${encodeBase64(digest)}`, bytes }
        unconfirmed.set(ctx.source, kept)
      }
      chunk = kept.bytes
      headers['Upload-Checksum'] = kept.header
      // A browser File's slice goes as the body and the bytes read are only hashed (see
      // FileSource.preferBody); bytes that changed on disk since are what the server's 460 is for.
      if (!ctx.source.preferBody || !ctx.source.body) body = { kind: 'bytes', bytes: chunk }
    } else if (t.checksum === 'sha256' && t.trailer) {
      trailer = await checksumTrailer(ctx, start, t.file)
    }
    const sentFrom = offset
    const res = await ctx.send({
      method: 'PATCH',
      url: t.url,
      headers,
      body,
      ...(trailer ? { trailer } : {}),
      onUploadProgress: (n) => t.onSent(sentFrom + n),
    })
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
      // The file's hash takes a chunk once it is stored, so a re-sent chunk is not hashed twice.
      await t.file.seek(start, ctx.signal)
      t.file.update(chunk)
    }
    if (unconfirmed.get(ctx.source)?.start === start) unconfirmed.delete(ctx.source)
    conflicts = 0
    mismatches = 0
    offset = confirmed
    last = res
    t.onConfirmed(offset)
  }
  return last
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
