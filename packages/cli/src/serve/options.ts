import path from 'node:path'
import { parseArgs } from 'node:util'
import { UploadError } from '@shuttle/protocol'
import { S3_CONNECTION_FLAGS, S3_CONNECTION_HELP, type S3Connection, s3Connection } from '../s3-connection.js'
import { parseDuration, parseSize } from '../units.js'
import { OPS_FLAGS, OPS_HELP, opsOptions, type ServeOpsOptions } from './ops-options.js'
import { type ServeTrustOptions, TRUST_FLAGS, TRUST_HELP, trustOptions } from './trust-options.js'

/** Without --max-size: large enough for any video a browser records, small enough that a bogus Upload-Length of 1e15 is refused. */
export const DEFAULT_MAX_SIZE = 10 * 1024 ** 3

export const SERVE_HELP = `Usage: shuttle serve [options]

Runs a tus 1.0 upload server with uploads kept on disk, and a page at / that says where it is.

Options:
  --host HOST            interface to listen on (default 127.0.0.1; 0.0.0.0 for all)
  --port PORT            port to listen on; 0 picks a free one (default 1080)
  --dir DIR              directory for uploads (default ./uploads)
  --path PATH            URL prefix of the tus endpoint (default /files/)
  --max-size SIZE        largest upload accepted, e.g. 2GiB; 'none' for no limit (default 10GiB);
                         larger: 413
  --cors-origin ORIGIN   allowed browser origin; repeat for several; * for any origin, without
                         cookies (default: none, so browsers allow same-origin pages only)
  --expire-after DUR     delete unfinished uploads idle this long, e.g. 24h (default: never)
  --expiry-sweep DUR     how often to look for expired uploads, e.g. 5m (default 1m; with --redis
                         one instance at a time sweeps)
  --static DIR           serve this directory at / (e.g. the built demo app)
  --writes MODE          auto: write bodies on the main thread while writes are fast, falling back
                         to the thread pool after a slow one; thread-pool: always (NFS, slow disks)
                         (default auto)
  --instant-upload SCOPE owner: a creation declaring the content of a file the same token subject
                         already stored finishes at once after a proof of possession (without
                         tokens every upload is in one scope); global: anyone's stored files match;
                         off: never (default owner; file store: hard links, --store s3: a copy
                         made inside the bucket)
${TRUST_HELP}
  --store file|s3        where tus uploads are kept: file (--dir, default) or s3 (the bucket of
                         --s3-bucket, keys under tus/; with --redis, several instances share it)
  --s3-part-size SIZE    with --store s3: the smallest S3 part, e.g. 16MiB (default 8MiB). S3 needs
                         5MiB or more; smaller only for an engine configured to allow it
  --s3-parts-in-flight N with --store s3: parts of one PATCH uploading while the next fills
                         (default 2); memory per PATCH is part size × (N + 1)
  --redis URL            keep upload locks in Redis (redis://host:port), so several instances can
                         share --dir (a shared mount); startup fails if Redis does not answer
  --s3-bucket NAME       also serve S3 multipart signing routes at /s3/ (Uppy Companion's paths):
                         browsers and 'shuttle upload --protocol s3' send parts straight to NAME
${S3_CONNECTION_HELP}
  --s3-url-expires DUR   lifetime of presigned part URLs, e.g. 5m (default 5m)
  --s3-abort-after DUR   abort multipart uploads started this long ago, e.g. 7d (default: never)
  --demo-tokens          DEMO ONLY: require upload tokens signed with a public demo secret, and
                         hand them out at POST /demo-token to any browser (what npm start uses to
                         show the token flow; never in production)
  --demo-token-expires DUR  lifetime of those tokens (default 10m; tests use 2s)
${OPS_HELP}
  --quiet                no log line per upload event
  -h, --help             show this help

Examples:
  shuttle serve
  shuttle serve --port 8080 --dir /var/uploads --max-size 5GiB --expire-after 24h
  shuttle serve --host 0.0.0.0 --cors-origin https://app.example.com
  SHUTTLE_AUTH_SECRET=$(cat /etc/shuttle/secret) shuttle serve --quota 5GiB --rate-limit 100/1m
  shuttle serve --dir /mnt/shared/uploads --redis redis://10.0.0.5:6379
  S3_ENDPOINT=http://127.0.0.1:7480 S3_ACCESS_KEY=… S3_SECRET_KEY=… shuttle serve --s3-bucket uploads`

export interface ServeOptions {
  host: string
  port: number
  dir: string
  path: string
  maxSize: number | undefined
  /** Undefined: no CORS headers, same-origin pages only. */
  corsOrigins: '*' | string[] | undefined
  expireAfter: number | undefined
  /** --expiry-sweep: ms between expiry sweeps (the server's default when undefined). */
  expirySweepInterval: number | undefined
  staticDir: string | undefined
  /** Where the file store writes bodies (FileStoreOptions.writes). */
  writes: 'auto' | 'thread-pool'
  /** --instant-upload: whose stored files a declared identity may match, or off. */
  instantUpload: 'owner' | 'global' | 'off'
  /** --store: where tus uploads live; 's3' needs `s3`. */
  store: 'file' | 's3'
  /** --s3-part-size: the S3 store's smallest part size (its default when undefined). */
  s3PartSize: number | undefined
  /** --s3-parts-in-flight: parts of one PATCH in flight (the store's default when undefined). */
  s3PartsInFlight: number | undefined
  /** --redis: locks in this Redis instead of lock files. */
  redis: string | undefined
  /** S3 signing routes at /s3/, when --s3-bucket is given. */
  s3: ServeS3Options | undefined
  /** --demo-tokens: seconds a demo token lives; undefined when off. */
  demoTokens: number | undefined
  /** Tokens, quotas and HTTP limits. */
  trust: ServeTrustOptions
  /** /metrics and graceful shutdown. */
  ops: ServeOpsOptions
  quiet: boolean
  help: boolean
}

export interface ServeS3Options extends S3Connection {
  bucket: string
  urlExpiresIn: number
  /** ms; background sweep of abandoned multipart uploads. */
  abortAfter: number | undefined
}

/** Parses `shuttle serve` flags; usage mistakes throw ERR_INVALID_OPTIONS with the flag named. */
export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeOptions {
  let values: ReturnType<typeof parse>['values']
  try {
    values = parse(argv).values
  } catch (err) {
    throw new UploadError('ERR_INVALID_OPTIONS', (err as Error).message, { cause: err })
  }
  const port = Number(values.port ?? '1080')
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UploadError('ERR_INVALID_OPTIONS', `--port: "${values.port}" is not a port number (0-65535)`)
  }
  let prefix = values.path ?? '/files/'
  if (!prefix.startsWith('/')) prefix = `/${prefix}`
  if (!prefix.endsWith('/')) prefix = `${prefix}/`
  const origins = values['cors-origin']
  const writes = values.writes ?? 'auto'
  if (writes !== 'auto' && writes !== 'thread-pool') {
    throw new UploadError('ERR_INVALID_OPTIONS', `--writes: "${writes}" is not one of auto, thread-pool`)
  }
  const instantUpload = values['instant-upload'] ?? 'owner'
  if (instantUpload !== 'owner' && instantUpload !== 'global' && instantUpload !== 'off') {
    throw new UploadError(
      'ERR_INVALID_OPTIONS',
      `--instant-upload: "${instantUpload}" is not one of owner, global, off`,
    )
  }
  const trust = trustOptions(values, env)
  // The demo secret is public: a real secret beside it would mean two kinds of token, one of them forgeable.
  if (values['demo-tokens'] && trust.authSecret !== undefined)
    throw new UploadError(
      'ERR_INVALID_OPTIONS',
      '--demo-tokens signs with a public demo secret; drop it when you pass --auth-secret',
    )
  return {
    host: values.host ?? '127.0.0.1',
    port,
    dir: path.resolve(values.dir ?? './uploads'),
    path: prefix,
    maxSize: maxSize(values['max-size']),
    corsOrigins: origins === undefined ? undefined : origins.includes('*') ? '*' : origins,
    expireAfter:
      values['expire-after'] === undefined
        ? undefined
        : parseDuration(values['expire-after'], 'expire-after'),
    expirySweepInterval:
      values['expiry-sweep'] === undefined ? undefined : sweepInterval(values['expiry-sweep']),
    staticDir: values.static === undefined ? undefined : path.resolve(values.static),
    writes,
    instantUpload,
    redis: values.redis === undefined ? undefined : redisUrl(values.redis),
    store: storeKind(values.store, values['s3-bucket']),
    s3PartSize: s3PartSize(values['s3-part-size'], values.store),
    s3PartsInFlight: s3PartsInFlight(values['s3-parts-in-flight'], values.store),
    s3: values['s3-bucket'] === undefined ? undefined : s3Options(values, env),
    demoTokens: demoTokenLifetime(values),
    trust,
    ops: opsOptions(values, env),
    quiet: values.quiet ?? false,
    help: values.help ?? false,
  }
}

function demoTokenLifetime(values: ReturnType<typeof parse>['values']): number | undefined {
  const expires = values['demo-token-expires']
  if (!values['demo-tokens']) {
    if (expires !== undefined)
      throw new UploadError('ERR_INVALID_OPTIONS', '--demo-token-expires needs --demo-tokens')
    return undefined
  }
  const ms = expires === undefined ? 600_000 : parseDuration(expires, 'demo-token-expires')
  if (ms < 1000) throw new UploadError('ERR_INVALID_OPTIONS', '--demo-token-expires must be at least 1s')
  return Math.round(ms / 1000)
}

function maxSize(value: string | undefined): number | undefined {
  if (value === undefined) return DEFAULT_MAX_SIZE
  if (value === 'none') return undefined
  return parseSize(value, 'max-size')
}

function storeKind(value: string | undefined, bucket: string | undefined): 'file' | 's3' {
  if (value === undefined || value === 'file') return 'file'
  if (value !== 's3')
    throw new UploadError('ERR_INVALID_OPTIONS', `--store: "${value}" is not one of file, s3`)
  if (bucket === undefined) {
    throw new UploadError(
      'ERR_INVALID_OPTIONS',
      '--store s3 needs --s3-bucket NAME (and the S3 connection flags)',
    )
  }
  return 's3'
}

function sweepInterval(value: string): number {
  const ms = parseDuration(value, 'expiry-sweep')
  if (ms < 100) throw new UploadError('ERR_INVALID_OPTIONS', '--expiry-sweep must be at least 100ms')
  return ms
}

function s3PartSize(value: string | undefined, store: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (store !== 's3') throw new UploadError('ERR_INVALID_OPTIONS', '--s3-part-size needs --store s3')
  const size = parseSize(value, 's3-part-size')
  if (!Number.isSafeInteger(size) || size < 1024) {
    throw new UploadError(
      'ERR_INVALID_OPTIONS',
      '--s3-part-size must be a whole number of bytes, at least 1KiB',
    )
  }
  return size
}

function s3PartsInFlight(value: string | undefined, store: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (store !== 's3') throw new UploadError('ERR_INVALID_OPTIONS', '--s3-parts-in-flight needs --store s3')
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 16) {
    throw new UploadError(
      'ERR_INVALID_OPTIONS',
      `--s3-parts-in-flight: "${value}" is not a whole number from 1 to 16`,
    )
  }
  return n
}

function redisUrl(value: string): string {
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    // Reported below.
  }
  if (url?.protocol !== 'redis:' && url?.protocol !== 'rediss:') {
    throw new UploadError(
      'ERR_INVALID_OPTIONS',
      `--redis: "${value}" is not a Redis URL; write it as redis://host:port (rediss:// for TLS)`,
    )
  }
  return value
}

/** The signing routes' options: the bucket, how to reach it, presigned URL lifetime, abort sweep. */
function s3Options(values: ReturnType<typeof parse>['values'], env: NodeJS.ProcessEnv): ServeS3Options {
  const bucket = values['s3-bucket'] ?? ''
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new UploadError('ERR_INVALID_OPTIONS', `--s3-bucket: "${bucket}" is not a valid bucket name`)
  }
  const connection = s3Connection(values, env)
  const expires =
    values['s3-url-expires'] === undefined
      ? 300_000
      : parseDuration(values['s3-url-expires'], 's3-url-expires')
  if (expires < 1000 || expires > 7 * 24 * 3600_000) {
    throw new UploadError('ERR_INVALID_OPTIONS', '--s3-url-expires must be between 1s and 7d')
  }
  return {
    bucket,
    ...connection,
    urlExpiresIn: Math.round(expires / 1000),
    abortAfter:
      values['s3-abort-after'] === undefined
        ? undefined
        : parseDuration(values['s3-abort-after'], 's3-abort-after'),
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string', short: 'p' },
      dir: { type: 'string', short: 'd' },
      path: { type: 'string' },
      'max-size': { type: 'string' },
      'cors-origin': { type: 'string', multiple: true },
      'expire-after': { type: 'string' },
      'expiry-sweep': { type: 'string' },
      static: { type: 'string' },
      writes: { type: 'string' },
      'instant-upload': { type: 'string' },
      redis: { type: 'string' },
      store: { type: 'string' },
      's3-part-size': { type: 'string' },
      's3-parts-in-flight': { type: 'string' },
      's3-bucket': { type: 'string' },
      ...S3_CONNECTION_FLAGS,
      's3-url-expires': { type: 'string' },
      's3-abort-after': { type: 'string' },
      'demo-tokens': { type: 'boolean' },
      'demo-token-expires': { type: 'string' },
      ...TRUST_FLAGS,
      ...OPS_FLAGS,
      quiet: { type: 'boolean', short: 'q' },
      help: { type: 'boolean', short: 'h' },
    },
  })
}
