import type { IncomingMessage } from 'node:http'
import { TusError } from '@shuttle/protocol'
import type { HandlerContext } from '../handlers/context.js'
import type { NormalizedOptions } from '../options.js'
import type { UploadInfo } from '../types.js'
import { isFinished } from '../upload-state.js'
import { RateWindow } from './rate-window.js'
import { subjectKey, UsageTracker } from './usage.js'

/** The per-server state behind quotas and token limits (see `QuotaOptions`). */
export interface Quotas {
  readonly rate: RateWindow | undefined
  readonly usage: UsageTracker
}

/** When nobody finishes or cancels an upload the client cannot know the wait; a few seconds. */
const CONCURRENT_RETRY_SECONDS = 5

/** Quota state when there are quotas or tokens (whose limits need the usage); else undefined. */
export function createQuotas(options: NormalizedOptions): Quotas | undefined {
  const q = options.quotas
  if (!q && !options.tokens) return undefined
  return {
    rate: q?.creations === undefined ? undefined : new RateWindow(q.creations, q.windowMs ?? 60_000),
    usage: new UsageTracker(options.store, options.logger, {
      scanOwners: options.tokens !== undefined,
      // Tokens may carry maxFiles / maxTotalBytes at any time; otherwise only the quotas need it.
      keepFinished:
        options.tokens !== undefined || q?.storedFiles !== undefined || q?.storedBytes !== undefined,
    }),
  }
}

/**
 * Who quotas count against: the token subject, or without tokens the client's address (with
 * `respectForwardedHeaders`, the last X-Forwarded-For entry: the one the nearest proxy added).
 */
export function requesterKey(ctx: HandlerContext): string {
  if (ctx.token) return subjectKey(ctx.token.sub)
  return `ip:${clientAddress(ctx.req, ctx.options.respectForwardedHeaders)}`
}

function clientAddress(req: IncomingMessage, forwarded: boolean): string {
  const xff = req.headers['x-forwarded-for']
  if (forwarded && typeof xff === 'string') {
    const last = xff.split(',').at(-1)?.trim()
    if (last) return last
  }
  return req.socket.remoteAddress ?? 'unknown'
}

/**
 * Admits a new upload against the quotas and the token's limits, in this order: creations per
 * window (429 + Retry-After), unfinished uploads at once (429 + Retry-After), uploads kept and
 * bytes kept (403 saying what to delete). On success the upload is counted at once (no await
 * between check and count, so parallel creations cannot slip past together); call the returned
 * function if it is not created after all.
 */
export async function admit(ctx: HandlerContext, upload: UploadInfo): Promise<() => void> {
  const quotas = ctx.quotas
  if (!quotas) return () => {}
  await quotas.usage.ready()
  const q = ctx.options.quotas ?? {}
  const limits = ctx.token?.limits ?? {}
  const key = requesterKey(ctx)
  const wait = quotas.rate?.waitFor(key) ?? 0
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000)
    const windowS = Math.round((q.windowMs ?? 60_000) / 1000)
    throw new TusError(
      'ERR_RATE_LIMITED',
      429,
      `Too many new uploads: this server allows ${q.creations} per ${windowS} s. Retry in ${seconds} s.`,
      { headers: { 'Retry-After': String(seconds) } },
    )
  }
  const used = quotas.usage.usage(key)
  const finished = isFinished(upload)
  if (!finished && q.concurrentUploads !== undefined && used.unfinished >= q.concurrentUploads) {
    throw new TusError(
      'ERR_RATE_LIMITED',
      429,
      `You have ${used.unfinished} unfinished uploads, the most this server takes at once; finish or cancel one, or retry in a few seconds.`,
      { headers: { 'Retry-After': String(CONCURRENT_RETRY_SECONDS) } },
    )
  }
  for (const [limit, whose] of [
    [limits.maxFiles, 'your upload token'],
    [q.storedFiles, 'this server'],
  ] as const) {
    if (limit !== undefined && used.files + 1 > limit) {
      throw new TusError(
        'ERR_QUOTA_EXCEEDED',
        403,
        `You keep ${used.files} uploads, the most ${whose} allows (${limit}); delete one you no longer need (DELETE its URL) or ask the app's operator for a higher limit.`,
      )
    }
  }
  assertBytesFit(ctx, used.bytes, upload.size ?? 0)
  quotas.rate?.record(key)
  quotas.usage.add(upload.id, key, upload.size ?? 0, finished)
  return () => quotas.usage.removed(upload.id)
}

/** A deferred length, once declared, counts against the stored-bytes limits (403 when over). */
export async function admitLength(ctx: HandlerContext, upload: UploadInfo, length: number): Promise<void> {
  const quotas = ctx.quotas
  if (!quotas) return
  await quotas.usage.ready()
  const used = quotas.usage.usage(requesterKey(ctx))
  assertBytesFit(ctx, used.bytes, length)
  quotas.usage.resized(upload.id, length)
}

function assertBytesFit(ctx: HandlerContext, used: number, size: number): void {
  for (const [limit, whose] of [
    [ctx.token?.limits.maxTotalBytes, 'your upload token'],
    [ctx.options.quotas?.storedBytes, 'this server'],
  ] as const) {
    if (limit !== undefined && used + size > limit) {
      throw new TusError(
        'ERR_QUOTA_EXCEEDED',
        403,
        `This ${size}-byte upload would bring what you keep to ${used + size} bytes, over the ${limit}-byte limit of ${whose}; delete uploads you no longer need (DELETE their URLs) or ask the app's operator for more room.`,
      )
    }
  }
}
