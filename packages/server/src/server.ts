import type { IncomingMessage, ServerResponse } from 'node:http'
import { isUploadError, TUS_RESUMABLE, TusError } from '@shuttle/protocol'
import { authenticate } from './auth/authenticate.js'
import type { UploadToken } from './auth/upload-token.js'
import { corsHeaders } from './cors.js'
import { ContentDigests } from './digest/content-digests.js'
import { createEmitter } from './emitter.js'
import { LEFTOVER_AGE_MS, sweepExpired, sweepLeftovers } from './expiry.js'
import type { HandlerContext } from './handlers/context.js'
import { handleDelete } from './handlers/delete.js'
import { handleGet } from './handlers/get.js'
import { handleHead } from './handlers/head.js'
import { handleOptions } from './handlers/options.js'
import { handlePatch } from './handlers/patch.js'
import { handlePost } from './handlers/post.js'
import { header } from './handlers/request-headers.js'
import { keepFreedHeap } from './heap-reuse.js'
import { Challenges } from './identity/challenges.js'
import { instantUploadOffered } from './identity/instant.js'
import { RunningIdentities } from './identity/running-identities.js'
import { normalizeOptions } from './options.js'
import { type Reply, send, toReply } from './reply.js'
import { createQuotas } from './trust/quotas.js'
import type { NextFunction, ServerOptions, TusServer, UploadInfo } from './types.js'
import { type Route, requestPath, route, uploadUrl } from './urls.js'

type Handler = (ctx: HandlerContext) => Promise<Reply>

const UPLOAD_HANDLERS: Record<string, Handler> = {
  HEAD: handleHead,
  PATCH: handlePatch,
  DELETE: handleDelete,
  GET: handleGet,
}

/**
 * Creates a tus 1.0.0 server as a Node request handler.
 *
 * @example
 * const tus = createTusServer({ path: '/files/', directory: './uploads' })
 * http.createServer(tus.handle).listen(1080, '127.0.0.1')
 */
export function createTusServer(serverOptions: ServerOptions): TusServer {
  const options = normalizeOptions(serverOptions)
  // Request bodies arrive in fresh buffers: keep their freed memory for the next ones (see heap-reuse).
  keepFreedHeap()
  const emitter = createEmitter(options.logger)

  let sweeping: Promise<number> | undefined
  const sweep = (): Promise<number> => {
    sweeping ??= sweepExpired(options, emitter.emit).finally(() => {
      sweeping = undefined
    })
    return sweeping
  }
  let leftovers: Promise<void> | undefined
  const clearLeftovers = (): Promise<void> => {
    leftovers ??= sweepLeftovers(options).finally(() => {
      leftovers = undefined
    })
    return leftovers
  }
  let timer: NodeJS.Timeout | undefined
  if (options.expirySweepInterval > 0 && options.expireAfter !== undefined) {
    timer = setInterval(() => {
      sweep().catch((err: unknown) => options.logger.error('Expiry sweep failed', err))
    }, options.expirySweepInterval)
  } else if (options.expirySweepInterval > 0 && options.store.removeLeftovers) {
    // Nothing expires, yet what a crash left behind still goes: once now (a restart after a crash),
    // then hourly, without listing the uploads.
    void clearLeftovers()
    timer = setInterval(() => void clearLeftovers(), LEFTOVER_AGE_MS)
  }
  timer?.unref()

  const quotas = createQuotas(options)
  if (quotas) {
    emitter.on('upload-finished', ({ upload }) => quotas.usage.finished(upload.id))
    emitter.on('upload-terminated', ({ upload }) => quotas.usage.removed(upload.id))
    emitter.on('upload-expired', ({ upload }) => quotas.usage.removed(upload.id))
  }

  const observer = options.observer
  if (observer) {
    emitter.on('upload-created', () => observer.uploadCreated?.())
    emitter.on('upload-finished', () => observer.uploadFinished?.())
  }
  // Graceful shutdown: `drain` aborts this; requests under way are counted so it can wait for them.
  const shutdown = new AbortController()
  let running = 0
  let idle: (() => void) | undefined

  const headReads = new Map<string, Promise<UploadInfo>>()
  const digests = options.store.read ? new ContentDigests(options.store) : undefined
  const challenges = instantUploadOffered(options) ? new Challenges() : undefined
  const identities = challenges ? new RunningIdentities() : undefined
  // A damaged upload is reported once, in one line, however often clients ask for it.
  const damagedReported = new Set<string>()
  const reportDamaged = (err: unknown) => {
    if (!isUploadError(err) || err.code !== 'ERR_DAMAGED') return
    const detail = err.cause instanceof Error ? ` (${err.cause.message})` : ''
    if (damagedReported.size >= 10_000) damagedReported.clear()
    if (damagedReported.has(err.message)) return
    damagedReported.add(err.message)
    options.logger.error(`${err.message}${detail}`)
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse, next?: NextFunction): Promise<void> {
    const target = route(requestPath(req), options.basePath)
    if (target.kind === 'outside') {
      if (next) next()
      else send(req, res, { status: 404, body: 'Not found' }, {})
      return
    }
    // Counted until the answer is sent (a download's last byte) or the connection goes: `drain` waits.
    running++
    res.once('close', () => {
      if (--running === 0) idle?.()
    })
    const method = effectiveMethod(req)
    if (shutdown.signal.aborted) {
      send(req, res, drainingReply(), corsHeaders(req, options.corsOrigins, false))
      return
    }
    const preflight = method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined
    const cors = corsHeaders(req, options.corsOrigins, preflight)
    const client = new AbortController()
    res.once('close', () => {
      if (!res.writableFinished) client.abort()
    })
    let reply: Reply
    let token: UploadToken | undefined
    try {
      // A GET without a token may still download a public-read upload (decided once it is read).
      token =
        method === 'OPTIONS'
          ? undefined
          : await authenticate(req, options.tokens, method === 'GET' && target.kind === 'upload')
    } catch (err) {
      send(req, res, toReply(err, req, options.logger), cors)
      return
    }
    const ctx: HandlerContext = {
      req,
      token,
      quotas,
      id: target.kind === 'upload' ? target.id : '',
      options,
      signal: client.signal,
      shutdown: shutdown.signal,
      emit: emitter.emit,
      headReads,
      digests,
      challenges,
      identities,
      urlFor: (id) => uploadUrl(req, id, options),
    }
    const writes = method === 'PATCH' || (method === 'POST' && carriesBody(req))
    if (method === 'PATCH') observer?.patchStarted?.()
    try {
      reply = await routeRequest(ctx, target, method)
    } catch (err) {
      reportDamaged(err)
      reply = toReply(err, req, options.logger)
      if (writes) observer?.writeFailed?.(reply.status)
      if (options.onResponseError) {
        try {
          options.onResponseError(req, err)
        } catch (hookErr) {
          options.logger.error('onResponseError threw', hookErr)
        }
      }
    }
    if (method === 'PATCH') observer?.patchEnded?.()
    // While draining, the connection closes after this answer: the client reconnects elsewhere.
    if (shutdown.signal.aborted) reply = { ...reply, headers: { ...reply.headers, Connection: 'close' } }
    send(req, res, reply, cors)
  }

  return {
    handle: (req, res, next) => {
      dispatch(req, res, next).catch((err: unknown) => {
        // Only reachable if sending itself failed; never let it crash the process.
        options.logger.error('Failed to send a response', err)
        res.destroy()
      })
    },
    drain: (timeoutMs) => {
      shutdown.abort()
      return new Promise<number>((resolve) => {
        if (running === 0) {
          resolve(0)
          return
        }
        const timer = setTimeout(() => resolve(running), timeoutMs)
        idle = () => {
          clearTimeout(timer)
          resolve(0)
        }
      })
    },
    get draining() {
      return shutdown.signal.aborted
    },
    on: emitter.on,
    sweepExpired: sweep,
    close: async () => {
      if (timer) clearInterval(timer)
      timer = undefined
      await Promise.all([sweeping?.catch(() => undefined), leftovers])
    },
    store: options.store,
  }
}

function carriesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length']
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined
}

function effectiveMethod(req: IncomingMessage): string {
  const method = req.method ?? 'GET'
  const override = header(req, 'x-http-method-override')
  return method === 'POST' && override !== undefined ? override.trim().toUpperCase() : method
}

function routeRequest(ctx: HandlerContext, target: Route, method: string): Promise<Reply> {
  // Preflights and discovery come first: browsers send no Tus-Resumable on them.
  if (method === 'OPTIONS') return handleOptions(ctx)
  if (target.kind === 'invalid') throw new TusError('ERR_NOT_FOUND', 404, 'Upload not found')
  if (method !== 'GET') {
    const version = header(ctx.req, 'tus-resumable')
    if (version !== TUS_RESUMABLE) {
      throw new TusError(
        'ERR_TUS_VERSION',
        412,
        version === undefined
          ? 'Tus-Resumable header is missing; this server speaks tus 1.0.0'
          : `Tus-Resumable ${version.slice(0, 20)} is not supported; this server speaks tus 1.0.0`,
      )
    }
  }
  if (target.kind === 'collection') {
    if (method === 'POST') return handlePost(ctx)
    return Promise.resolve(notAllowed('POST, OPTIONS'))
  }
  const handler = UPLOAD_HANDLERS[method]
  return handler ? handler(ctx) : Promise.resolve(notAllowed('HEAD, PATCH, DELETE, GET, OPTIONS'))
}

/** What a draining server answers to a request that arrives (graceful shutdown). */
export function drainingReply(): Reply {
  return {
    status: 503,
    headers: { 'Retry-After': '1', Connection: 'close' },
    body: 'This server is shutting down; nothing was changed. Retry: another instance, or this one once restarted, will answer.',
  }
}

function notAllowed(allow: string): Reply {
  return { status: 405, headers: { Allow: allow }, body: `Method not allowed here; use ${allow}` }
}
