import { UploadError } from '@shuttle/protocol'
import { parseDuration } from '../units.js'

/** The environment variable that, with --metrics, makes /metrics ask for `Authorization: Bearer <it>`. */
export const METRICS_TOKEN_ENV = 'SHUTTLE_METRICS_TOKEN'
export const DEFAULT_SHUTDOWN_TIMEOUT = 10_000

export const OPS_HELP = `  --metrics              serve Prometheus metrics at /metrics (default off: the tus port is often
                         public; metrics name no upload, file or user, yet show everyone's traffic).
                         With env ${METRICS_TOKEN_ENV} set, /metrics needs Authorization: Bearer <it>
  --shutdown-timeout DUR on SIGTERM/SIGINT: stop accepting, let running PATCHes store what arrived
                         and release their locks for at most DUR, then exit 0 (default ${DEFAULT_SHUTDOWN_TIMEOUT / 1000}s)
                         (/healthz and /readyz are always served: liveness, and store + Redis reachable)`

export const OPS_FLAGS = {
  metrics: { type: 'boolean' },
  'shutdown-timeout': { type: 'string' },
} as const

export interface ServeOpsOptions {
  /** Undefined: no /metrics. */
  metrics: { token: string | undefined } | undefined
  /** Milliseconds a graceful shutdown may take. */
  shutdownTimeout: number
}

type OpsValues = { metrics?: boolean | undefined; 'shutdown-timeout'?: string | undefined }

export function opsOptions(values: OpsValues, env: NodeJS.ProcessEnv): ServeOpsOptions {
  const token = env[METRICS_TOKEN_ENV] || undefined
  if (token !== undefined && !values.metrics) {
    throw new UploadError(
      'ERR_INVALID_OPTIONS',
      `${METRICS_TOKEN_ENV} is set but --metrics is not; add --metrics`,
    )
  }
  const timeout =
    values['shutdown-timeout'] === undefined
      ? DEFAULT_SHUTDOWN_TIMEOUT
      : parseDuration(values['shutdown-timeout'], 'shutdown-timeout')
  if (timeout < 100) throw new UploadError('ERR_INVALID_OPTIONS', '--shutdown-timeout must be at least 100ms')
  return { metrics: values.metrics ? { token } : undefined, shutdownTimeout: timeout }
}
