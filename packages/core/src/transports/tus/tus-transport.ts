import type { Checkpoint } from '../../ports.js'
import type { Transport, TransportContext, TransportResult } from '../transport.js'
import { uploadConcatenated } from './concat.js'
import { patchUntilDone } from './patch-loop.js'
import {
  createCapabilityCache,
  createUpload,
  headUpload,
  type ServerCapabilities,
  statusError,
  tusHeaders,
} from './tus-http.js'

/**
 * tus 1.0 client: creation, HEAD to resume, chunked or streamed PATCH, termination, checksum and
 * concatenation (parallelUploads > 1). One `upload()` call is one attempt; the engine retries.
 */
export function createTusTransport(): Transport {
  const capabilities = createCapabilityCache()

  /** Only ask OPTIONS when an optional feature depends on it. */
  async function discover(ctx: TransportContext): Promise<ServerCapabilities | undefined> {
    const o = ctx.options
    const wantsChecksum = o.checksum !== false && o.chunkSize !== Number.POSITIVE_INFINITY
    if (!wantsChecksum && o.parallelUploads <= 1) return undefined
    return capabilities(ctx)
  }

  return {
    resumable: true,
    parallelChunks: true,
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
      if (concat || ctx.checkpoint?.parts) return uploadConcatenated(ctx, checksum)
      return uploadSingle(ctx, checksum)
    },
    async terminate(ctx) {
      const urls = [ctx.checkpoint.url, ...(ctx.checkpoint.parts ?? []).map((p) => p.url)]
      for (const url of urls) {
        if (url === undefined) continue
        const res = await ctx.send({ method: 'DELETE', url, headers: tusHeaders() })
        // Already gone is what we wanted.
        if (res.status === 404 || res.status === 410) continue
        if (res.status < 200 || res.status >= 300) throw statusError(res, 'DELETE', url)
      }
    },
  }
}

export function newCheckpoint(ctx: TransportContext, patch: Partial<Checkpoint>): Checkpoint {
  const now = Date.now()
  return {
    size: ctx.size,
    endpoint: ctx.options.endpoint,
    metadata: { ...ctx.metadata },
    createdAt: ctx.checkpoint?.createdAt ?? now,
    ...ctx.checkpoint,
    ...patch,
    updatedAt: now,
  }
}

async function uploadSingle(
  ctx: TransportContext,
  checksum: 'sha1' | 'sha256' | undefined,
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
    url = await createUpload(ctx, { length: ctx.size, metadata: { ...ctx.metadata } })
    await ctx.saveCheckpoint(newCheckpoint(ctx, { url }))
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
