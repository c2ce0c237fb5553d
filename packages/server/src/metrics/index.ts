import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import type { LockEvent, ServerObserver } from '../types.js'

export interface MetricsOptions {
  /** Where the metrics live. Default: a registry of their own (not prom-client's global one). */
  readonly registry?: Registry
  /** Also collect prom-client's default process metrics (CPU, memory, event loop lag…). Default true. */
  readonly processMetrics?: boolean
}

/** The smallest part of an AWS SDK v3 client that `instrumentS3Client` needs. */
export interface S3ClientLike {
  readonly middlewareStack: {
    // `never`: the SDK's overloads are typed per step; ours is an initialize middleware (see below).
    add(middleware: never, options: { step: 'initialize'; name: string; override?: boolean }): void
  }
}

/**
 * Prometheus metrics of an upload server (prom-client). Labels hold methods, statuses, S3 command
 * names and outcomes only: never upload ids, file names or token subjects.
 *
 * @example
 * const metrics = createMetrics()
 * const tus = createTusServer({ store, locker: new RedisLocker({ redis, onEvent: metrics.lockEvents }), observer: metrics.observer })
 * metrics.instrumentS3Client(s3Client)
 * const ops = createOperations({ metrics })
 */
export function createMetrics(options: MetricsOptions = {}) {
  const registry = options.registry ?? new Registry()
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry })
  const registers = [registry]

  const created = new Counter({
    name: 'shuttle_uploads_created_total',
    help: 'Uploads created (POST)',
    registers,
  })
  const finished = new Counter({
    name: 'shuttle_uploads_finished_total',
    help: 'Uploads whose last byte was stored',
    registers,
  })
  const failed = new Counter({
    name: 'shuttle_uploads_failed_total',
    help: 'Write requests (PATCH, creation-with-upload) that answered an error status; what they stored is kept and the client may resume',
    labelNames: ['status'] as const,
    registers,
  })
  const bytes = new Counter({
    name: 'shuttle_bytes_received_total',
    help: 'Upload bytes received and stored',
    registers,
  })
  const activePatches = new Gauge({
    name: 'shuttle_active_patches',
    help: 'PATCH requests being handled now',
    registers,
  })
  const lockWaits = new Counter({
    name: 'shuttle_lock_waits_total',
    help: 'Lock acquisitions that found the lock held by another instance and waited, by outcome',
    labelNames: ['outcome'] as const,
    registers,
  })
  const lockWaitSeconds = new Histogram({
    name: 'shuttle_lock_wait_seconds',
    help: 'How long acquisitions waited for a lock held by another instance',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
    registers,
  })
  const takeovers = new Counter({
    name: 'shuttle_lock_takeovers_total',
    help: 'Locks taken after waiting: the holder released on request, or its lease expired (a dead or stopped holder)',
    labelNames: ['how'] as const,
    registers,
  })
  const s3Seconds = new Histogram({
    name: 'shuttle_s3_request_duration_seconds',
    help: 'S3 requests of the store, by command and outcome (with the SDK retries)',
    labelNames: ['command', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  })
  // Zero series exist from the start, so rates and alerts work before the first event.
  for (const how of ['released', 'expired']) takeovers.inc({ how }, 0)
  for (const outcome of ['acquired', 'gave_up']) lockWaits.inc({ outcome }, 0)

  const observer: ServerObserver = {
    uploadCreated: () => created.inc(),
    uploadFinished: () => finished.inc(),
    patchStarted: () => activePatches.inc(),
    patchEnded: () => activePatches.dec(),
    bytesStored: (n) => bytes.inc(n),
    writeFailed: (status) => failed.inc({ status: String(status) }),
  }

  const lockEvents = (event: LockEvent): void => {
    if (event.type === 'waited') {
      lockWaits.inc({ outcome: event.acquired ? 'acquired' : 'gave_up' })
      lockWaitSeconds.observe(event.ms / 1000)
    } else takeovers.inc({ how: event.how })
  }

  return {
    registry,
    /** For `createTusServer({ observer })`. */
    observer,
    /** For `new RedisLocker({ onEvent })`. */
    lockEvents,
    /** Times every request the client sends (`shuttle_s3_request_duration_seconds`). */
    instrumentS3Client(client: S3ClientLike): void {
      const middleware =
        (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
        async (args: unknown) => {
          const started = performance.now()
          let outcome = 'error'
          try {
            const out = await next(args)
            outcome = 'ok'
            return out
          } finally {
            s3Seconds.observe(
              { command: (context.commandName ?? 'unknown').replace(/Command$/, ''), outcome },
              (performance.now() - started) / 1000,
            )
          }
        }
      client.middlewareStack.add(middleware as never, {
        step: 'initialize',
        name: 'shuttleMetrics',
        override: true,
      })
    },
    contentType: registry.contentType,
    /** The Prometheus text exposition. */
    text: () => registry.metrics(),
  }
}

export type ShuttleMetrics = ReturnType<typeof createMetrics>
