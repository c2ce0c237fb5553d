import type http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { S3SigningHandler } from '@shuttle/s3-signing'
import {
  closeHttpServer,
  createHttpServer,
  createOperations,
  createTusServer,
  directoryWritable,
  FileLocker,
  FileStore,
  type Locker,
  type TusServer,
} from '@shuttle/server'
import { s3ClientOptions } from '../s3-connection.js'
import { answerTokensNotRequired, type DemoTokens, demoTokens } from './demo-tokens.js'
import { landingPage } from './landing-page.js'
import { logEvents } from './log-events.js'
import type { ServeOptions } from './options.js'
import { connectRedisLocks } from './redis-locks.js'
import { connectS3Store, TUS_PREFIX } from './s3-tus-store.js'
import { serveStatic } from './static-files.js'

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:1080 */
  url: string
  /** The tus endpoint, e.g. http://127.0.0.1:1080/files/ */
  endpoint: string
  tus: TusServer
  /** The S3 signing routes (at /s3/), when started with --s3-bucket. */
  s3: S3SigningHandler | undefined
  /** POST /demo-token, when started with --demo-tokens. */
  demo: DemoTokens | undefined
  http: http.Server
  /**
   * Graceful shutdown: stops accepting before it returns; new requests get 503; running PATCHes store what arrived
   * and release their locks; within `--shutdown-timeout`. Resolves with the requests still running
   * when the time ran out (0: every write stored and every lock released).
   */
  close(): Promise<number>
}

/** Starts the tus handler under `options.path` and the landing page at `/`. */
export async function startServer(
  options: ServeOptions,
  log: (line: string) => void = () => {},
): Promise<RunningServer> {
  // Loaded only with --metrics (prom-client).
  const metrics = options.ops.metrics ? (await import('@shuttle/server/metrics')).createMetrics() : undefined
  const s3Store =
    options.store === 's3' && options.s3
      ? await connectS3Store(
          options.s3,
          { partSize: options.s3PartSize, maxSize: options.maxSize, inFlight: options.s3PartsInFlight },
          metrics ? (c) => metrics.instrumentS3Client(c) : undefined,
        )
      : undefined
  const store = s3Store?.store ?? new FileStore({ directory: options.dir, writes: options.writes })
  // Several servers may share the directory: lock across processes (lock files, or Redis with
  // --redis), and refuse to start where that cannot work rather than let two servers interleave
  // one upload's bytes.
  const redis =
    options.redis === undefined ? undefined : await connectRedisLocks(options.redis, log, metrics?.lockEvents)
  let locker: Locker | undefined
  if (redis) locker = redis.locker
  else if (s3Store)
    locker = undefined // one instance: the server's MemoryLocker
  else {
    const files = new FileLocker({ directory: options.dir })
    await files.check()
    locker = files
  }
  const demo = options.demoTokens === undefined ? undefined : demoTokens(options.demoTokens)
  const tus = createTusServer({
    path: options.path,
    store,
    locker,
    maxSize: options.maxSize,
    expireAfter: options.expireAfter,
    ...(options.expirySweepInterval !== undefined
      ? { expirySweepInterval: options.expirySweepInterval }
      : {}),
    quotas: options.trust.quotas,
    ...(metrics ? { observer: metrics.observer } : {}),
    instantUpload: options.instantUpload === 'off' ? false : { scope: options.instantUpload },
    ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
    ...(options.trust.authSecret ? { tokens: { secret: options.trust.authSecret } } : {}),
    ...(demo ? { tokens: { secret: demo.secret } } : {}),
  })
  // Loaded only with --s3-bucket: the AWS SDK costs ~12 MB of RSS and start-up time.
  const s3 = options.s3
    ? (await import('@shuttle/s3-signing')).createS3SigningHandler({
        bucket: options.s3.bucket,
        ...s3ClientOptions(options.s3),
        urlExpiresIn: options.s3.urlExpiresIn,
        ...(options.s3.abortAfter !== undefined ? { abortAfter: options.s3.abortAfter } : {}),
        ...(options.corsOrigins ? { corsOrigins: options.corsOrigins } : {}),
        ...(options.trust.authSecret ? { tokens: { secret: options.trust.authSecret } } : {}),
        ...(options.trust.quotas.creations === undefined
          ? {}
          : {
              quotas: {
                creations: options.trust.quotas.creations,
                windowMs: options.trust.quotas.windowMs ?? 60_000,
              },
            }),
      })
    : undefined
  const ops = createOperations({
    checks: {
      ...(s3Store ? { s3: () => s3Store.store.check() } : { directory: directoryWritable(options.dir) }),
      ...(redis ? { redis: () => redis.locker.check() } : {}),
    },
    ...(metrics ? { metrics } : {}),
    ...(options.ops.metrics?.token ? { metricsToken: options.ops.metrics.token } : {}),
    draining: () => tus.draining,
  })
  const offLog = options.quiet ? () => {} : logEvents(tus, log)
  const bare = options.path.slice(0, -1)
  let page = ''

  // Slow headers, idle bodies and connection floods are cut (see HttpLimits); bodies may take hours.
  const server = createHttpServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/'
    if (ops.handle(req, res)) return
    if (pathname.startsWith(options.path) || pathname === bare) {
      tus.handle(req, res)
      return
    }
    if (s3 && pathname.startsWith('/s3/')) {
      s3.handle(req, res)
      return
    }
    if (tus.draining) {
      // Connection: close, so a keep-alive client reconnects (to another instance) for its next request.
      res.writeHead(503, {
        'content-type': 'text/plain; charset=utf-8',
        'retry-after': '1',
        connection: 'close',
      })
      res.end(
        'This server is shutting down. Retry: another instance, or this one once restarted, will answer.\n',
      )
      return
    }
    if (demo?.handle(req, res, pathname)) return
    if (!demo && !options.trust.authSecret && answerTokensNotRequired(req, res, pathname)) return
    void answerOther(req, res, pathname).catch(() => res.destroy())
  }, options.trust.http)
  const answerOther = async (req: http.IncomingMessage, res: http.ServerResponse, pathname: string) => {
    if (options.staticDir !== undefined && (await serveStatic(options.staticDir, req, res))) return
    if ((req.method === 'GET' || req.method === 'HEAD') && (pathname === '/' || pathname === '/index.html')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' })
      res.end(req.method === 'HEAD' ? undefined : page)
      return
    }
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
    res.end(`Not found: ${pathname.slice(0, 200)}. The tus endpoint is ${options.path}\n`)
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host
  const url = `http://${hostForUrl === '0.0.0.0' ? '127.0.0.1' : hostForUrl}:${port}`
  const endpoint = `${url}${options.path}`
  page = landingPage(
    endpoint,
    options.store === 's3' ? `s3://${options.s3?.bucket}/${TUS_PREFIX}` : options.dir,
  )

  let closing: Promise<number> | undefined
  const close = () => {
    closing ??= (async () => {
      const deadline = performance.now() + options.ops.shutdownTimeout
      // No new connections; idle keep-alive ones close, busy ones after their answer (Connection:
      // close while draining), and a request whose headers are still arriving gets its 503.
      const closed = closeHttpServer(server)
      // Running writes stop reading, store what arrived and unlock (Redis: released, not left to expire).
      const left = await tus.drain(options.ops.shutdownTimeout)
      // Answers still going out get what is left of the timeout; then every connection is cut.
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        closed,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(0, deadline - performance.now()))
        }),
      ])
      clearTimeout(timer)
      server.closeAllConnections()
      offLog()
      await tus.close()
      s3?.close()
      await redis?.close()
      s3Store?.close()
      return left
    })()
    return closing
  }
  return { url, endpoint, tus, s3, demo, http: server, close }
}
