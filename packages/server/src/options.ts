import { UploadError } from '@shuttle/protocol'
import { secretKey } from './auth/upload-token.js'
import { MemoryLocker } from './lockers/memory-locker.js'
import { checkStore } from './store-check.js'
import { FileStore } from './stores/file/file-store.js'
import type { DataStore, Locker, Logger, ServerOptions } from './types.js'

export interface NormalizedOptions extends Omit<ServerOptions, 'store' | 'directory' | 'locker' | 'logger'> {
  /** The prefix without its trailing slash, e.g. '/files'. */
  readonly basePath: string
  readonly store: DataStore
  readonly locker: Locker
  readonly lockTimeout: number
  readonly expirySweepInterval: number
  readonly relativeLocation: boolean
  readonly respectForwardedHeaders: boolean
  readonly logger: Logger
}

// Unexpected failures are the only thing the server reports on its own; 4xx are the client's business.
const defaultLogger: Logger = {
  error: (message, err) => console.error(`[shuttle/server] ${message}`, err ?? ''),
}

/** Validates and fills in defaults once. The caller's object is never mutated. */
export function normalizeOptions(o: ServerOptions): Readonly<NormalizedOptions> {
  const path = o.path ?? '/files/'
  if (!path.startsWith('/') || /[?#\s]/.test(path)) {
    throw new UploadError('ERR_INVALID_OPTIONS', `'path' must be a URL path starting with '/', got "${path}"`)
  }
  if (o.store && o.directory !== undefined) {
    throw new UploadError('ERR_INVALID_OPTIONS', "Pass either 'store' or 'directory', not both")
  }
  if (!o.store && o.directory === undefined) {
    throw new UploadError(
      'ERR_INVALID_OPTIONS',
      "Pass 'store' (e.g. new FileStore({ directory })) or 'directory'",
    )
  }
  for (const key of [
    'maxSize',
    'expireAfter',
    'expirySweepInterval',
    'lockTimeout',
    'maxMetadataSize',
  ] as const) {
    const v = o[key]
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) {
      throw new UploadError('ERR_INVALID_OPTIONS', `'${key}' must be a non-negative integer, got ${v}`)
    }
  }
  for (const [key, v] of Object.entries(o.quotas ?? {})) {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < (key === 'windowMs' ? 1 : 0))) {
      throw new UploadError('ERR_INVALID_OPTIONS', `'quotas.${key}' must be a non-negative integer, got ${v}`)
    }
  }
  if (o.tokens) {
    try {
      secretKey(o.tokens.secret)
    } catch (err) {
      throw new UploadError('ERR_INVALID_OPTIONS', `'tokens.secret': ${(err as Error).message}`)
    }
  }
  const store: DataStore = o.store ?? new FileStore({ directory: o.directory as string })
  checkStore(store, o.expireAfter)
  return {
    ...o,
    basePath: path.replace(/\/+$/, ''),
    store,
    // The store knows which locker keeps it safe (FileStore: one that works across processes).
    locker: o.locker ?? store.defaultLocker?.() ?? new MemoryLocker(),
    lockTimeout: o.lockTimeout ?? 3000,
    expirySweepInterval: o.expirySweepInterval ?? 60_000,
    relativeLocation: o.relativeLocation ?? false,
    respectForwardedHeaders: o.respectForwardedHeaders ?? false,
    logger: o.logger ?? defaultLogger,
  }
}
