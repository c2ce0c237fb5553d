import { isSuccess, statusError, type Transport, type TransportContext, UploadError } from '@shuttle/core'

/** What this protocol needs to resume, besides the upload URL: the part size the server chose. */
interface RangeState {
  partSize: number
}

const isPartSize = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0

/** The server's X-Received: bytes it holds. Anything else is a broken answer; the engine retries. */
function received(res: { header(name: string): string | undefined }, size: number): number {
  const n = Number(res.header('x-received'))
  if (!Number.isInteger(n) || n < 0 || n > size) {
    throw new UploadError('ERR_OFFSET_MISMATCH', 'X-Received is missing or invalid', { retryable: true })
  }
  return n
}

/** POST the upload; its URL and part size are saved before the first byte goes out. */
async function create(ctx: TransportContext<RangeState>): Promise<{ url: string; partSize: number }> {
  const endpoint = ctx.options.endpoint
  const res = await ctx.send({
    method: 'POST',
    url: endpoint,
    headers: { 'X-Upload-Length': String(ctx.size) },
  })
  const location = res.header('location')
  if (!isSuccess(res.status) || !location) throw statusError(res, 'POST', endpoint)
  const partSize: unknown = JSON.parse(res.body).partSize
  if (!isPartSize(partSize)) throw new UploadError('ERR_HTTP_STATUS', `POST ${endpoint}: no valid partSize`)
  const url = new URL(location, endpoint).href
  await ctx.saveCheckpoint({ url, state: { partSize } })
  ctx.created(url)
  return { url, partSize }
}

/**
 * A resumable protocol that is not tus: parts go by PUT with Content-Range, HEAD says how many bytes
 * the server holds. The engine brings queueing, pause, resume, retries, cancel and checkpoints.
 */
export function contentRangeTransport(): Transport<RangeState> {
  return {
    name: 'content-range',
    resumable: true,
    parallelChunks: false,
    // Checkpoints come back from storage the user controls: trust nothing.
    parseState: (state) => {
      const partSize = (state as { partSize?: unknown } | null)?.partSize
      return isPartSize(partSize) ? { partSize } : undefined
    },
    async upload(ctx) {
      const size = ctx.size
      let target = ctx.checkpoint?.url
        ? { url: ctx.checkpoint.url, partSize: ctx.checkpoint.state.partSize }
        : undefined
      let offset = 0
      if (target) {
        const head = await ctx.send({ method: 'HEAD', url: target.url, headers: {} })
        if (head.status === 404) {
          ctx.restarted('not-found', target.url) // expired on the server: start over, once
          target = undefined
        } else if (!isSuccess(head.status)) throw statusError(head, 'HEAD', target.url)
        else offset = received(head, size)
      }
      const { url, partSize } = target ?? (await create(ctx))
      ctx.confirmed(offset)
      while (offset < size) {
        const from = offset
        const end = Math.min(size, from + partSize)
        const res = await ctx.send({
          method: 'PUT',
          url,
          headers: { 'Content-Range': `bytes ${from}-${end - 1}/${size}` },
          body: { kind: 'range', source: ctx.source, start: from, end },
          onUploadProgress: (n) => ctx.sent(from + n),
        })
        // 409: the server holds another amount than we thought; continue from there.
        if (res.status !== 200 && res.status !== 409) throw statusError(res, 'PUT', url)
        offset = received(res, size)
        ctx.confirmed(offset)
      }
      return { url }
    },
    async terminate(ctx) {
      const url = ctx.checkpoint.url
      if (url === undefined) return
      const res = await ctx.send({ method: 'DELETE', url, headers: {} })
      if (!isSuccess(res.status) && res.status !== 404) throw statusError(res, 'DELETE', url)
    },
  }
}
