import { encodeBase64, PATCH_CONTENT_TYPE, UploadError } from '@shuttle/protocol'
import type { RequestBody } from '../../ports.js'
import { statusError } from '../http.js'
import type { TransportContext } from '../transport.js'
import { headUpload, readOffset, tusHeaders } from './tus-http.js'

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
  /** Called with the upload offset the server confirmed / the bytes in flight for this upload. */
  onConfirmed(offset: number): void
  onSent(offset: number): void
}

// A 409 means our offset is stale; we HEAD and continue. More than this many in a row is a bug.
const MAX_CONFLICTS = 3

/** PATCHes [offset, length) of one upload in chunks of options.chunkSize; resolves when all are confirmed. */
export async function patchUntilDone(ctx: TransportContext, t: PatchTarget): Promise<void> {
  const { chunkSize } = ctx.options
  let offset = t.offset
  let conflicts = 0
  while (offset < t.length) {
    const end = Math.min(t.length, chunkSize === Number.POSITIVE_INFINITY ? t.length : offset + chunkSize)
    const headers = tusHeaders({ 'Upload-Offset': String(offset), 'Content-Type': PATCH_CONTENT_TYPE })
    const start = t.rangeStart + offset
    let body: RequestBody = { kind: 'range', source: ctx.source, start, end: t.rangeStart + end }
    if (t.checksum) {
      // Checksums need the bytes in memory; chunked mode bounds that to one chunk.
      const bytes = await ctx.source.read(start, t.rangeStart + end)
      const digest = await ctx.options.digest(t.checksum, bytes)
      headers['Upload-Checksum'] = `${t.checksum} ${encodeBase64(digest)}`
      body = { kind: 'bytes', bytes }
    }
    const sentFrom = offset
    const res = await ctx.send({
      method: 'PATCH',
      url: t.url,
      headers,
      body,
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
    // 460: the chunk was damaged on the way and the server kept none of it; send it again.
    if (res.status === 460 && t.checksum) {
      throw statusError(res, 'PATCH', t.url, { code: 'ERR_CHECKSUM_MISMATCH', retryable: true })
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
    conflicts = 0
    offset = confirmed
    t.onConfirmed(offset)
  }
}
