import type { IncomingMessage, ServerResponse } from 'node:http'
import type { S3Client } from '@aws-sdk/client-s3'
import { HttpError, TusError } from '@shuttle/protocol'
import {
  checkAuthorized,
  describeError,
  type NextFunction,
  RateWindow,
  requireUploadToken,
  typeAllowed,
  type UploadToken,
} from '@shuttle/server'
import {
  abortUpload,
  completeUpload,
  createUpload,
  listParts,
  parseCompleteParts,
  parsePartNumber,
  s3Metadata,
  signPart,
} from './actions.js'
import { setBucketCors } from './bucket-cors.js'
import { readJson, sendJson, signingCors } from './http-io.js'
import { isGeneratedKey, isSubjectKey, newObjectKey, subjectPrefix } from './keys.js'
import {
  type NormalizedS3Options,
  normalizeS3Options,
  type S3Action,
  type S3SigningOptions,
} from './options.js'
import { metadataFromQuery, postParams } from './post-params.js'
import { isGone, type SweepResult, sweepMultipartUploads } from './sweep.js'

export interface S3SigningHandler {
  /** Node request handler; with `next`, requests outside its path are passed on (Express, Connect). */
  handle(req: IncomingMessage, res: ServerResponse, next?: NextFunction): void
  /** Aborts multipart uploads under `keyPrefix` started more than `olderThanMs` ago. */
  sweep(olderThanMs: number): Promise<SweepResult>
  /** Sets the bucket's CORS rules for browser uploads from these origins. */
  setCors(origins: readonly string[]): Promise<void>
  readonly client: S3Client
  readonly bucket: string
  close(): void
}

type Route =
  | { action: 'create' }
  | { action: 'params' }
  | { action: 'list' | 'abort' | 'complete'; uploadId: string }
  | { action: 'sign'; uploadId: string; partNumbers: number[]; batch: boolean }

/**
 * Uppy Companion's S3 multipart routes (`POST /s3/multipart`, `GET /s3/multipart/:uploadId/:partNumber`,
 * `…/batch`, `GET|DELETE /s3/multipart/:uploadId`, `POST …/complete`), same JSON, so both Shuttle's
 * S3 transport and @uppy/aws-s3 can upload straight to the bucket. Keys are generated here; the
 * client only ever echoes them back, and `authorize` decides each action before S3 is touched.
 *
 * @example
 * const s3 = createS3SigningHandler({ bucket: 'uploads', endpoint: 'http://127.0.0.1:7480',
 *   credentials: { accessKeyId, secretAccessKey }, authorize: (req) => isLoggedIn(req) })
 * http.createServer((req, res) => s3.handle(req, res, () => tus.handle(req, res))).listen(1080)
 */
export function createS3SigningHandler(signingOptions: S3SigningOptions): S3SigningHandler {
  const o = normalizeS3Options(signingOptions)
  const creations = o.quotas?.creations
  const rate = creations === undefined ? undefined : new RateWindow(creations, o.quotas?.windowMs ?? 60_000)

  async function dispatch(req: IncomingMessage, res: ServerResponse, next?: NextFunction) {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!url.pathname.startsWith(o.basePath)) {
      if (next) next()
      else sendJson(res, 404, { error: 'Not found' }, {})
      return
    }
    const cors = signingCors(req, o.corsOrigins)
    if (req.method === 'OPTIONS') {
      sendJson(res, 204, undefined, cors)
      return
    }
    try {
      const route = routeOf(req.method ?? 'GET', url.pathname.slice(o.basePath.length), url.searchParams)
      const result = await run(o, req, route, url.searchParams, rate)
      sendJson(res, 200, result, cors)
    } catch (err) {
      const { status, headers, message } = describeError(fromS3Error(err), req, o.logger)
      sendJson(res, status, { error: message }, { ...cors, ...headers })
    }
  }

  const sweep = (olderThanMs: number) =>
    sweepMultipartUploads({
      client: o.client,
      bucket: o.bucket,
      olderThanMs,
      ...(o.keyPrefix ? { prefix: o.keyPrefix } : {}),
    })
  // A background sweep every quarter of the age (at most hourly), so abandoned parts stop costing.
  let timer: NodeJS.Timeout | undefined
  if (o.abortAfter !== undefined) {
    const age = o.abortAfter
    timer = setInterval(
      () => {
        sweep(age).catch((err: unknown) => o.logger.error('S3 multipart sweep failed', err))
      },
      Math.max(1000, Math.min(3600_000, age / 4)),
    )
    timer.unref()
  }

  return {
    handle(req, res, next) {
      dispatch(req, res, next).catch((err: unknown) => {
        o.logger.error('Failed to send a response', err)
        res.destroy()
      })
    },
    sweep,
    setCors: (origins) => setBucketCors({ client: o.client, bucket: o.bucket, origins }),
    client: o.client,
    bucket: o.bucket,
    close() {
      if (timer) clearInterval(timer)
      timer = undefined
      if (o.ownsClient) o.client.destroy()
    },
  }
}

const notFound = () => new TusError('ERR_NOT_FOUND', 404, 'Not found')

function routeOf(method: string, rest: string, query: URLSearchParams): Route {
  const segments = rest.split('/').map((s) => decodeURIComponent(s))
  if (segments[0] === 'params' && segments.length === 1 && method === 'GET') return { action: 'params' }
  if (segments[0] !== 'multipart') throw notFound()
  const [, uploadId, tail, extra] = segments
  if (uploadId === undefined || uploadId === '') {
    if (method === 'POST' && segments.length <= 2) return { action: 'create' }
    throw notFound()
  }
  if (uploadId.length > 1024 || extra !== undefined) throw notFound()
  if (tail === undefined) {
    if (method === 'GET') return { action: 'list', uploadId }
    if (method === 'DELETE') return { action: 'abort', uploadId }
    throw notFound()
  }
  if (tail === 'complete' && method === 'POST') return { action: 'complete', uploadId }
  if (method !== 'GET') throw notFound()
  if (tail === 'batch') {
    const raw = query.get('partNumbers')
    if (!raw)
      throw new TusError('ERR_INVALID_HEADER', 400, 'partNumbers must be a comma separated list, e.g. 1,2,3')
    const numbers = raw.split(',').map(parsePartNumber)
    if (numbers.length > 1000)
      throw new TusError('ERR_INVALID_HEADER', 400, 'at most 1000 part numbers per batch')
    return { action: 'sign', uploadId, partNumbers: numbers, batch: true }
  }
  return { action: 'sign', uploadId, partNumbers: [parsePartNumber(tail)], batch: false }
}

function authorize(o: NormalizedS3Options, req: IncomingMessage, action: S3Action, key: string) {
  return checkAuthorized(o.authorize, req, { action, key }, `${action} this upload`)
}

const GONE = 'The upload does not exist (aborted, completed or expired)'

async function run(
  o: NormalizedS3Options,
  req: IncomingMessage,
  route: Route,
  query: URLSearchParams,
  rate: RateWindow | undefined,
) {
  const token = o.tokens ? await requireUploadToken(req, o.tokens.secret) : undefined
  // With tokens, every key this server makes for a subject lies under that subject's prefix.
  const prefix = token ? subjectPrefix(o.keyPrefix, token.sub) : o.keyPrefix
  if (route.action === 'create') {
    const body = await readJson(req, o.maxBodyBytes)
    const type = typeof body.type === 'string' && body.type !== '' ? body.type : 'application/octet-stream'
    const metadata = s3Metadata(body.metadata)
    const filename = body.filename ?? metadata.filename
    if (token) assertTokenAllows(token, type, filename)
    const key = newObjectKey(prefix, filename)
    await authorize(o, req, 'create', key)
    if (rate) admitCreation(o, rate, token ? `sub:${token.sub}` : `ip:${req.socket.remoteAddress}`)
    return createUpload(o, key, type, metadata)
  }
  if (route.action === 'params') {
    // One signed POST policy (Uppy's non-multipart uploads); the object is created as with 'create'.
    const metadata = metadataFromQuery(query)
    const type = query.get('type') || 'application/octet-stream'
    const key = newObjectKey(o.keyPrefix, query.get('filename') ?? metadata.name ?? metadata.filename)
    await authorize(o, req, 'create', key)
    return postParams(o, key, type, metadata)
  }
  const key = query.get('key')
  const wellFormed = token ? isSubjectKey(o.keyPrefix, key) : isGeneratedKey(o.keyPrefix, key)
  if (!wellFormed || key === null) {
    throw new TusError(
      'ERR_INVALID_HEADER',
      400,
      'key must be the one this server returned on creation ("?key=…")',
    )
  }
  // Another subject's key: the answer an upload that does not exist gets.
  if (token && !key.startsWith(prefix)) throw new HttpError('ERR_NOT_FOUND', 404, GONE)
  await authorize(o, req, route.action, key)
  switch (route.action) {
    case 'list':
      return listParts(o, key, route.uploadId)
    case 'abort':
      await abortUpload(o, key, route.uploadId)
      return {}
    case 'complete':
      return completeUpload(o, key, route.uploadId, parseCompleteParts(await readJson(req, o.maxBodyBytes)))
    case 'sign': {
      const [first] = route.partNumbers
      if (!route.batch && first !== undefined) return signPart(o, key, route.uploadId, first)
      const presignedUrls: Record<string, string> = {}
      for (const n of route.partNumbers) presignedUrls[n] = (await signPart(o, key, route.uploadId, n)).url
      return { presignedUrls }
    }
  }
}

/** Counts one new multipart upload for `who`, or answers 429 with Retry-After (seconds). */
function admitCreation(o: NormalizedS3Options, rate: RateWindow, who: string): void {
  const wait = rate.waitFor(who)
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000)
    const windowS = Math.round((o.quotas?.windowMs ?? 60_000) / 1000)
    throw new TusError(
      'ERR_RATE_LIMITED',
      429,
      `Too many new uploads: this server allows ${o.quotas?.creations} per ${windowS} s. Retry in ${seconds} s.`,
      { headers: { 'Retry-After': String(seconds) } },
    )
  }
  rate.record(who)
}

/** A token's type limits, for the file a browser is about to send straight to the bucket. */
function assertTokenAllows(token: UploadToken, type: string, filename: unknown): void {
  const types = token.limits.types
  const name = typeof filename === 'string' ? filename : ''
  if (types && !typeAllowed(types, { filetype: type, filename: name })) {
    throw new TusError(
      'ERR_TYPE_NOT_ALLOWED',
      415,
      `This file (${type}) is not a type your upload token allows (${types.join(', ')}); pick such a file`,
    )
  }
}

/**
 * S3's answers as HttpErrors, for the server's one error-to-response mapping (`describeError`):
 * "gone" is 404; a request S3 refuses (InvalidPart, EntityTooSmall, …) is 400 naming it; S3 failing
 * is 502 (logged there, as every 5xx). Anything else passes through unchanged.
 */
function fromS3Error(err: unknown): unknown {
  if (err instanceof HttpError) return err
  if (isGone(err)) {
    return new HttpError('ERR_NOT_FOUND', 404, GONE, {
      cause: err,
    })
  }
  const s3 = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined
  const status = s3?.$metadata?.httpStatusCode
  if (status === undefined) return err
  if (status >= 400 && status < 500 && status !== 403) {
    return new HttpError('ERR_S3', 400, `S3 refused the request: ${s3?.name ?? status}`, { cause: err })
  }
  return new HttpError('ERR_S3', 502, 'The storage service failed; retry later', { cause: err })
}
