import { isSuccess, statusError } from '../http.js'
import type { Transport, TransportResult } from '../transport.js'
import { uploadConcatenated } from './concat.js'
import { patchUntilDone } from './patch-loop.js'
import {
  createCapabilityCache,
  createUploadWithBody,
  headUpload,
  type ServerCapabilities,
  tusHeaders,
} from './tus-http.js'
import { parseTusState, type TusCheckpointState, type TusContext } from './tus-state.js'

/**
 * tus 1.0 client: creation (with the first bytes in the POST when the server offers
 * creation-with-upload), HEAD to resume, chunked or streamed PATCH, termination, checksum and
 * concatenation (parallelUploads > 1). One `upload()` call is one attempt; the engine retries.
 */
export function createTusTransport(): Transport<TusCheckpointState> {
  const capabilities = createCapabilityCache()

  /** Only ask OPTIONS when an optional feature depends on it. */
  async function discover(ctx: TusContext): Promise<ServerCapabilities | undefined> {
    const o = ctx.options
    const wantsChecksum = o.checksum !== false && o.chunkSize !== Number.POSITIVE_INFINITY
    if (!wantsChecksum && o.parallelUploads <= 1) return undefined
    return capabilities(ctx)
  }

  /**
   * Bytes to send in the creation POST (creation-with-upload): min(size, creationWithUpload,
   * chunkSize) when the server advertises the extension and no Upload-Checksum is in effect
   * (checksums stay on PATCH), else 0. OPTIONS is asked once per endpoint; its failure means "not
   * offered", never a failed attempt.
   */
  async function creationBody(ctx: TusContext, checksum: string | undefined): Promise<number> {
    const o = ctx.options
    const n = Math.min(ctx.size, o.creationWithUpload, o.chunkSize)
    if (n <= 0 || checksum !== undefined) return 0
    let caps: ServerCapabilities
    try {
      caps = await capabilities(ctx)
    } catch (err) {
      if (ctx.signal.aborted) throw err // paused or canceled: the attempt ends here
      return 0
    }
    return caps.extensions.has('creation-with-upload') ? n : 0
  }

  return {
    name: 'tus',
    resumable: true,
    parallelChunks: true,
    parseState: (state, checkpoint) => parseTusState(state, checkpoint.size),
    async upload(ctx) {
      const caps = await discover(ctx)
      const o = ctx.options
      const checksum =
        o.checksum !== false &&
        o.chunkSize !== Number.POSITIVE_INFINITY &&
        caps?.checksumAlgorithms.has(o.checksum)
          ? o.checksum
          : undefined
      const concat = o.parallelUploads > 1 && caps?.extensions.has('concatenation') === true && ctx.size > 1
      if (concat || ctx.checkpoint?.state.parts) return uploadConcatenated(ctx, checksum)
      return uploadSingle(ctx, checksum, () => creationBody(ctx, checksum))
    },
    async terminate(ctx) {
      const urls = [ctx.checkpoint.url, ...(ctx.checkpoint.state.parts ?? []).map((p) => p.url)]
      for (const url of urls) {
        if (url === undefined) continue
        const res = await ctx.send({ method: 'DELETE', url, headers: tusHeaders() })
        // Already gone is what we wanted.
        if (res.status === 404 || res.status === 410) continue
        if (!isSuccess(res.status)) throw statusError(res, 'DELETE', url)
      }
    },
  }
}

async function uploadSingle(
  ctx: TusContext,
  checksum: 'sha1' | 'sha256' | undefined,
  creationBody: () => Promise<number>,
): Promise<TransportResult> {
  let url = ctx.checkpoint?.url
  let offset = 0
  if (url !== undefined) {
    const head = await headUpload(ctx, url)
    if (head.kind === 'missing') {
      // Expired or deleted on the server: start over, exactly once, with a fresh upload.
      ctx.restarted(head.reason, url)
      url = undefined
    } else if (head.length !== undefined && head.length !== ctx.size) {
      // The checkpoint belongs to another version of the file; never append to it.
      ctx.restarted('not-found', url)
      url = undefined
    } else {
      offset = head.offset
    }
  }
  if (url === undefined) {
    // The URL (and so the checkpoint) is only known once the POST is answered: a POST cut mid-body
    // is retried as a fresh creation, costing at most those bytes again.
    const end = await creationBody()
    const created = await createUploadWithBody(ctx, {
      length: ctx.size,
      metadata: { ...ctx.metadata },
      ...(end > 0 ? { body: { end, onSent: (n: number) => ctx.sent(n) } } : {}),
    })
    url = created.url
    offset = created.offset
    await ctx.saveCheckpoint({ url, state: {} })
    ctx.created(url)
  }
  ctx.confirmed(offset)
  await patchUntilDone(ctx, {
    url,
    rangeStart: 0,
    length: ctx.size,
    offset,
    ...(checksum ? { checksum } : {}),
    onConfirmed: (n) => ctx.confirmed(n),
    onSent: (n) => ctx.sent(n),
  })
  return { url }
}
