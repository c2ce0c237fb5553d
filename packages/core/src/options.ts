import { UploadError } from '@shuttle/protocol'
import type { IdentityHasher } from './identity/sha256-4m.js'
import { absoluteUrl, type Clock, systemClock } from './platform.js'
import type {
  CheckpointStore,
  CreateSha256,
  DigestFn,
  FileKeeper,
  FileReaderPort,
  Fingerprint,
  HttpClient,
  NetworkMonitor,
} from './ports.js'
import { BUILTIN_TRANSPORTS } from './transports/builtin.js'
import { type NormalizedS3Options, normalizeS3Options, type S3Options } from './transports/s3/s3-options.js'
import type { TransportFactory } from './transports/transport.js'
import type { FileId } from './types.js'

export type HeadersOption =
  | Record<string, string>
  | ((ctx: {
      id: FileId
      method: string
      url: string
    }) => Record<string, string> | Promise<Record<string, string>>)

export interface UploaderOptions {
  /**
   * tus endpoint (creation URL); with protocol 'form', the form action; with protocol 's3', the base
   * URL of the signing server (its Companion-style routes live under `<endpoint>/s3/multipart`) or,
   * with client-side signing, the S3 endpoint. Checkpoints are keyed by it.
   */
  endpoint: string
  /**
   * A built-in transport: 'tus' (default); 'form': el-upload's multipart POST, not resumable; 's3':
   * multipart straight to S3. Shorthand for `transport: createTusTransport` and so on.
   */
  protocol?: 'tus' | 'form' | 's3'
  /**
   * Any other upload protocol: a factory called once per uploader with its normalized options,
   * returning a Transport (see transports/transport.ts). Excludes `protocol`.
   */
  transport?: TransportFactory
  /** protocol 's3': how parts get signed (server-side by default; see S3Options). */
  s3?: S3Options
  /** Bytes per PATCH. Infinity = one streamed request per file. Default: Infinity in Node, 8 MiB in browsers. */
  chunkSize?: number
  /**
   * tus creation-with-upload: the most bytes to send in the creation POST itself, so a file that
   * fits needs one request instead of a POST and a PATCH. The POST carries min(size,
   * creationWithUpload, chunkSize) bytes; the rest goes by PATCH. Used only for a fresh upload
   * (never when resuming), only when the server lists `creation-with-upload` in Tus-Extension (one
   * OPTIONS per endpoint), never with an Upload-Checksum in effect and never for concatenation
   * parts. A POST cut mid-body is retried as a fresh upload (its URL was never learned), so at most
   * these bytes are sent twice. 0 disables it. Default 4 MiB (4 * 1024 * 1024).
   */
  creationWithUpload?: number
  /** Parts of ONE file uploaded at once (tus concatenation). Default 1. */
  parallelUploads?: number
  /** Files uploaded at once. Default 3. */
  maxConcurrentUploads?: number
  /** Delays (ms) before each automatic retry; its length is the retry budget. Default [0, 1000, 3000, 5000]. */
  retryDelays?: number[]
  /** Milliseconds without progress before a request is aborted and retried (ERR_STALLED). Default 30000. */
  stallTimeout?: number
  /** Extra request headers, or a function called before EVERY request (fresh tokens). */
  headers?: HeadersOption
  /** Upload-Metadata for every file; merged under per-add metadata. filename/filetype are added. */
  metadata?: Record<string, string>
  /** false: added files wait in 'idle' until start(). Default true. */
  autoStart?: boolean
  checkpointStore?: CheckpointStore
  /**
   * Keep a finished upload's checkpoint (marked finished) instead of deleting it, so the same file
   * picked again is recognised: one HEAD finds it complete on the server and nothing is sent.
   * Default: true in browsers, false in Node.
   */
  rememberFinished?: boolean
  fingerprint?: Fingerprint
  /**
   * Keeps each file of an unfinished upload for the next session (browser: createBrowserFileKeeper:
   * File System Access handles, small files copied into OPFS, ghosts otherwise), so
   * `restoreSession()` brings the list back after a reload or a browser restart. Off by default:
   * copies cost disk quota. Only for resumable transports.
   */
  fileKeeper?: FileKeeper
  /**
   * 401 (and a first 403): called once for all files hitting it at once, then the request is
   * retried. A 403 that persists after a refresh is a refusal: the file fails with the server's
   * sentence (ERR_FORBIDDEN). Resolve `false` when there are no new credentials to get (e.g. the
   * server turned out to need none): the file fails with the server's answer, as without a hook.
   */
  // biome-ignore lint/suspicious/noConfusingVoidType: an `async () => {}` hook resolves void
  onAuthExpired?: (ctx: { id: FileId; status: number }) => Promise<void | false>
  /**
   * Verify every byte end to end when the server offers it (default true): each request carries
   * an Upload-Checksum (tus checksum; in one streamed request as a trailer, checksum-trailer) and a
   * request the server refuses with 460 is sent again; at the end the stored bytes are checked, else
   * the upload fails (ERR_DIGEST_MISMATCH). With true, a file whose content identity was declared
   * to the server (instant upload) is checked by the identity the server confirms at completion
   * (`completed.identity`), and requests from a 4 MiB boundary take their `sha256-4m` checksum from
   * the identity's blocks: no byte is hashed twice on either side. Otherwise, and always with
   * 'sha256'/'sha1' (only that algorithm), the SHA-256 of the file, hashed while it is read, must
   * equal the server's Repr-Digest of what it stored (`completed.verified`). false: none of it.
   * Servers without these features cost nothing but the one OPTIONS per endpoint.
   */
  checksum?: boolean | 'sha1' | 'sha256'
  /**
   * The file's content identity (`sha256-4m`: SHA-256 over the digest of each 4 MiB block), hashed
   * once per file in 'preparing' (Web Workers in browsers) with progress in `FileSnapshot.hashing`.
   * Lets a server finish an upload it already holds (tus `instant-upload`) and finds an unfinished
   * upload again when the same bytes are picked under another name or date (resume by content).
   * 'auto' (default): only when the transport says the server uses it (tus: `instant-upload` in the
   * OPTIONS answer); true: for every file; false: never.
   */
  identity?: boolean | 'auto'
  /** form protocol: field name of the file part. Default 'file'. */
  fieldName?: string
  /** form protocol: extra form fields. */
  data?: Record<string, string>
  /** Browser: send cookies with cross-origin requests (XHR withCredentials), tus and form alike. */
  withCredentials?: boolean
  /**
   * Where the engine learns that the network is down (browser default: navigator.onLine, the
   * online/offline events and a probe of the endpoint after a network error). While it is down,
   * files wait in 'retrying' with `waitingFor: 'network'`, spend no retry and continue by themselves
   * when it returns. `false`: no monitor (Node's default): network errors spend the retry budget.
   */
  network?: NetworkMonitor | false
  httpClient?: HttpClient
  fileReader?: FileReaderPort
  digest?: DigestFn
  /** Computes identities (default: the platform's; createNodeIdentityHasher({ threads }) in Node). */
  identityHasher?: IdentityHasher
  clock?: Clock
  /** Jitter source in [0, 1); injectable for deterministic tests. */
  random?: () => number
}

/** What an environment entry supplies (STYLE 3.5): the only difference between browser and Node. */
export interface PlatformDefaults {
  httpClient: () => HttpClient
  fileReader: () => FileReaderPort
  checkpointStore: () => CheckpointStore
  fingerprint: Fingerprint
  digest: DigestFn
  sha256: CreateSha256
  identityHasher: () => IdentityHasher
  chunkSize: number
  /** Whether finished uploads keep their checkpoint (see `rememberFinished`). */
  rememberFinished?: boolean
  /** The platform's network monitor, if it has one (browsers). */
  network?: () => NetworkMonitor | undefined
}

export interface NormalizedOptions {
  readonly endpoint: string
  /** Makes the uploader's transport: the `transport` option, or the built-in one `protocol` names. */
  readonly transport: TransportFactory
  /** The `s3` option, normalized, when given or when protocol is 's3'. */
  readonly s3: NormalizedS3Options | undefined
  readonly chunkSize: number
  readonly creationWithUpload: number
  readonly parallelUploads: number
  readonly maxConcurrentUploads: number
  readonly retryDelays: readonly number[]
  readonly stallTimeout: number
  readonly headers: HeadersOption | undefined
  readonly metadata: Readonly<Record<string, string>>
  readonly autoStart: boolean
  readonly checkpointStore: CheckpointStore
  readonly rememberFinished: boolean
  readonly fingerprint: Fingerprint
  readonly fileKeeper: FileKeeper | undefined
  readonly onAuthExpired: UploaderOptions['onAuthExpired']
  /** 'auto': sha256, else sha1, as the server offers them. */
  readonly checksum: false | 'auto' | 'sha1' | 'sha256'
  /** 'auto': only when the transport says the server uses the identity. */
  readonly identity: boolean | 'auto'
  readonly identityHasher: IdentityHasher
  readonly fieldName: string
  readonly data: Readonly<Record<string, string>>
  readonly withCredentials: boolean
  readonly network: NetworkMonitor | undefined
  readonly httpClient: HttpClient
  /** The uploader created the client (not injected), so destroy() may close it. */
  readonly ownsHttpClient: boolean
  readonly fileReader: FileReaderPort
  readonly digest: DigestFn
  readonly sha256: CreateSha256
  readonly clock: Clock
  readonly random: () => number
}

export const DEFAULT_RETRY_DELAYS: readonly number[] = [0, 1000, 3000, 5000]

/** Default cap on the bytes sent in a tus creation POST (creation-with-upload). */
export const DEFAULT_CREATION_WITH_UPLOAD = 4 * 1024 * 1024

const invalid = (message: string) => new UploadError('ERR_INVALID_OPTIONS', message)

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1)
    throw invalid(`'${name}' must be a positive integer, got ${value}`)
  return value
}

/** Validates once and fills defaults; the caller's object is never mutated (STYLE 3.13). */
export function normalizeOptions(o: UploaderOptions, platform: PlatformDefaults): NormalizedOptions {
  if (!o || typeof o.endpoint !== 'string' || o.endpoint === '') throw invalid("'endpoint' is required")
  const endpoint = absoluteUrl(o.endpoint)
  if (endpoint === undefined) {
    throw invalid(`'endpoint' must be an absolute URL here (no page to resolve "${o.endpoint}" against)`)
  }
  if (o.transport !== undefined && typeof o.transport !== 'function') {
    throw invalid("'transport' must be a function returning a Transport (a TransportFactory)")
  }
  if (o.transport !== undefined && o.protocol !== undefined) {
    throw invalid("Give either 'protocol' (a built-in transport) or 'transport', not both")
  }
  const protocol = o.protocol ?? 'tus'
  if (protocol !== 'tus' && protocol !== 'form' && protocol !== 's3') {
    throw invalid(`'protocol' must be 'tus', 'form' or 's3'`)
  }
  const chunkSize = o.chunkSize ?? platform.chunkSize
  if (!(chunkSize === Number.POSITIVE_INFINITY || (Number.isInteger(chunkSize) && chunkSize > 0))) {
    throw invalid(`'chunkSize' must be a positive integer or Infinity, got ${chunkSize}`)
  }
  const creationWithUpload = o.creationWithUpload ?? DEFAULT_CREATION_WITH_UPLOAD
  if (
    typeof creationWithUpload !== 'number' ||
    !Number.isInteger(creationWithUpload) ||
    creationWithUpload < 0
  ) {
    throw invalid(
      `'creationWithUpload' must be a non-negative integer (bytes; 0 disables), got ${String(creationWithUpload)}`,
    )
  }
  const retryDelays = o.retryDelays ?? DEFAULT_RETRY_DELAYS
  if (!Array.isArray(retryDelays) || retryDelays.some((d) => typeof d !== 'number' || !(d >= 0))) {
    throw invalid("'retryDelays' must be an array of non-negative numbers")
  }
  const stallTimeout = o.stallTimeout ?? 30_000
  if (!(stallTimeout > 0)) throw invalid(`'stallTimeout' must be positive, got ${stallTimeout}`)
  const checksum = o.checksum === true || o.checksum === undefined ? 'auto' : o.checksum
  if (checksum !== false && checksum !== 'auto' && checksum !== 'sha1' && checksum !== 'sha256') {
    throw invalid(`'checksum' must be true, false, 'sha1' or 'sha256'`)
  }
  const identity = o.identity ?? 'auto'
  if (identity !== true && identity !== false && identity !== 'auto') {
    throw invalid(`'identity' must be true, false or 'auto'`)
  }
  return {
    endpoint,
    transport: o.transport ?? BUILTIN_TRANSPORTS[protocol],
    s3: protocol === 's3' || o.s3 !== undefined ? normalizeS3Options(o.s3, endpoint) : undefined,
    chunkSize,
    creationWithUpload,
    parallelUploads: positiveInt('parallelUploads', o.parallelUploads, 1),
    maxConcurrentUploads: positiveInt('maxConcurrentUploads', o.maxConcurrentUploads, 3),
    retryDelays: [...retryDelays],
    stallTimeout,
    headers: o.headers,
    metadata: { ...o.metadata },
    autoStart: o.autoStart ?? true,
    checkpointStore: o.checkpointStore ?? platform.checkpointStore(),
    rememberFinished: o.rememberFinished ?? platform.rememberFinished ?? false,
    fingerprint: o.fingerprint ?? platform.fingerprint,
    fileKeeper: o.fileKeeper,
    onAuthExpired: o.onAuthExpired,
    checksum,
    identity,
    identityHasher: o.identityHasher ?? platform.identityHasher(),
    fieldName: o.fieldName ?? 'file',
    data: { ...o.data },
    withCredentials: o.withCredentials ?? false,
    network: o.network === false ? undefined : (o.network ?? platform.network?.()),
    httpClient: o.httpClient ?? platform.httpClient(),
    ownsHttpClient: o.httpClient === undefined,
    fileReader: o.fileReader ?? platform.fileReader(),
    digest: o.digest ?? platform.digest,
    sha256: platform.sha256,
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
  }
}
