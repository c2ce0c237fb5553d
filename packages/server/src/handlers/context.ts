import type { IncomingMessage } from 'node:http'
import type { UploadToken } from '../auth/upload-token.js'
import type { ContentDigests } from '../digest/content-digests.js'
import type { Emitter } from '../emitter.js'
import type { NormalizedOptions } from '../options.js'
import type { Quotas } from '../trust/quotas.js'
import type { UploadInfo } from '../types.js'

/** Everything a method handler needs for one request. */
export interface HandlerContext {
  readonly req: IncomingMessage
  /** The upload id from the URL ('' on the creation endpoint). */
  readonly id: string
  readonly options: Readonly<NormalizedOptions>
  /** Aborts when the client goes away before the response is sent. */
  readonly signal: AbortSignal
  /** Aborts when the server starts draining (graceful shutdown): writes stop and store what arrived. */
  readonly shutdown: AbortSignal
  readonly emit: Emitter['emit']
  /** Locked reads under way for HEAD, by upload id: HEADs that arrive meanwhile share them. */
  readonly headReads: Map<string, Promise<UploadInfo>>
  /** The request's verified upload token when the server requires tokens (`tokens` option). */
  readonly token: UploadToken | undefined
  /** Quota and usage state, when the server has quotas or tokens. */
  readonly quotas: Quotas | undefined
  /** The SHA-256 of each upload's stored bytes (Repr-Digest); undefined when the store cannot read back. */
  readonly digests: ContentDigests | undefined
  /** The URL clients use to address an upload. */
  urlFor(id: string): string
}
