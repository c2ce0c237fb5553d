import { randomBytes, timingSafeEqual } from 'node:crypto'
import { open, rm } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'

/** Throws (saying why) when a dependency the server needs does not answer. */
export type ReadinessCheck = (signal: AbortSignal) => Promise<void>

/** Prometheus text, e.g. from `createMetrics()` of `@shuttle/server/metrics`. */
export interface MetricsSource {
  readonly contentType: string
  text(): Promise<string>
}

export interface OperationsOptions {
  /**
   * What /readyz checks, by the name its answer uses, e.g. `{ s3: () => store.check(), redis: () =>
   * locker.check() }`. Each runs at most `checkTimeout`; all run at once.
   */
  readonly checks?: Readonly<Record<string, ReadinessCheck>>
  /** Milliseconds one readiness check may take before it counts as down. Default 2000. */
  readonly checkTimeout?: number
  /** Serve /metrics from this; without it /metrics is not served (404). */
  readonly metrics?: MetricsSource
  /** When given, /metrics needs `Authorization: Bearer <token>` (401 otherwise). */
  readonly metricsToken?: string
  /** True while the server drains (graceful shutdown): /readyz answers 503 naming it. */
  readonly draining?: () => boolean
}

/**
 * /healthz, /readyz and /metrics for an upload server: `handle` answers those paths and returns
 * true, or returns false for any other path.
 *
 * - `GET /healthz`: 200 `{"status":"ok"}` while the process answers (liveness).
 * - `GET /readyz`: 200 `{"status":"ready","checks":{…}}` when every check passes; else 503 with
 *   `"down": [names]` and each failing check's reason (readiness: send no traffic here).
 * - `GET /metrics`: Prometheus text, when `metrics` is given.
 *
 * @example
 * const ops = createOperations({ checks: { store: directoryWritable('./uploads') }, draining: () => tus.draining })
 * createHttpServer((req, res) => ops.handle(req, res) || tus.handle(req, res)).listen(1080)
 */
export function createOperations(options: OperationsOptions) {
  const checks = Object.entries(options.checks ?? {})
  const checkTimeout = options.checkTimeout ?? 2000
  const token = options.metricsToken === undefined ? undefined : Buffer.from(`Bearer ${options.metricsToken}`)

  async function readiness(): Promise<{ status: number; body: unknown }> {
    const results = await Promise.all(
      checks.map(async ([name, check]) => {
        const started = performance.now()
        const signal = AbortSignal.timeout(checkTimeout)
        try {
          await Promise.race([
            check(signal),
            new Promise<never>((_, reject) =>
              signal.addEventListener(
                'abort',
                () => reject(new Error(`no answer within ${checkTimeout} ms`)),
                { once: true },
              ),
            ),
          ])
          return [name, { ok: true, ms: Math.round(performance.now() - started) }] as const
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err)
          return [name, { ok: false, error: why.slice(0, 300) }] as const
        }
      }),
    )
    const down = results.filter(([, r]) => !r.ok).map(([name]) => name)
    const draining = options.draining?.() ?? false
    if (draining) down.unshift('draining')
    return {
      status: down.length ? 503 : 200,
      body: down.length
        ? { status: 'unavailable', down, checks: Object.fromEntries(results) }
        : { status: 'ready', checks: Object.fromEntries(results) },
    }
  }

  const json = (res: ServerResponse, status: number, body: unknown, head: boolean) => {
    const text = `${JSON.stringify(body)}\n`
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
      ...(status === 503 ? { 'retry-after': '5' } : {}),
    })
    res.end(head ? undefined : text)
  }

  const answer = async (req: IncomingMessage, res: ServerResponse, pathname: string) => {
    const head = req.method === 'HEAD'
    if (req.method !== 'GET' && !head) {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
      res.end(`${pathname} answers GET only\n`)
      return
    }
    if (pathname === '/healthz') {
      json(res, 200, { status: 'ok' }, head)
      return
    }
    if (pathname === '/readyz') {
      const { status, body } = await readiness()
      json(res, status, body, head)
      return
    }
    const metrics = options.metrics as MetricsSource
    if (token) {
      const given = Buffer.from(req.headers.authorization ?? '')
      if (given.length !== token.length || !timingSafeEqual(given, token)) {
        res.writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain; charset=utf-8' })
        res.end('/metrics needs Authorization: Bearer <the metrics token>\n')
        return
      }
    }
    const text = await metrics.text()
    res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' })
    res.end(head ? undefined : text)
  }

  return {
    /** Answers /healthz, /readyz and (with `metrics`) /metrics; false for any other path. */
    handle(req: IncomingMessage, res: ServerResponse): boolean {
      const pathname = (req.url ?? '/').split('?')[0]
      if (pathname !== '/healthz' && pathname !== '/readyz' && !(pathname === '/metrics' && options.metrics))
        return false
      answer(req, res, pathname).catch(() => res.destroy())
      return true
    },
    /** The /readyz answer, e.g. to log it. */
    readiness,
  }
}

/**
 * A readiness check that the directory takes a new file: creates and removes a small probe file
 * (a read-only or unmounted volume, a missing directory or a permission change fails it).
 */
export function directoryWritable(directory: string): ReadinessCheck {
  return async () => {
    const probe = path.join(directory, `.readyz-${process.pid}-${randomBytes(4).toString('hex')}`)
    const handle = await open(probe, 'wx')
    try {
      await handle.close()
    } finally {
      await rm(probe, { force: true })
    }
  }
}
