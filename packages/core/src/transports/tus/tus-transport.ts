import { encodeBase64, HttpStatusError, parseIdentity } from '@shuttle/protocol'
import type { FileSource, HttpResponse, Sha256 } from '../../ports.js'
import { isSuccess, statusError } from '../http.js'
import type { Transport, TransportResult } from '../transport.js'
import { uploadConcatenated } from './concat.js'
import { identityFor, identityHeaders, proveIfChallenged } from './instant.js'
import { MAX_CHECKSUM_MISMATCHES, type PatchTarget, patchUntilDone } from './patch-loop.js'
import {
  type Created,
  createCapabilityCache,
  createUploadWithBody,
  headUpload,
  type ServerCapabilities,
  tusHeaders,
} from './tus-http.js'
import { parseTusState, type TusCheckpointState, type TusContext } from './tus-state.js'
import { type ChecksumAlgorithm, FileDigest, pickChecksum, verifyStored } from './verify.js'

// The file's SHA-256 lives as long as its source, not one attempt: an attempt redone after a 401
// or a cut connection goes on from where the hash stopped instead of reading the file again from
// byte 0 (which, every 2 seconds with short-lived tokens, read whole files over and over).
const digests = new WeakMap<FileSource, FileDigest>()

function fileDigest(source: FileSource, create: () => Promise<Sha256>): FileDigest {
  let digest = digests.get(source)
  if (!digest) {
    digest = new FileDigest(create, source)
    digests.set(source, digest)
  }
  return digest
}

/**
 * tus 1.0 client: creation (with the first bytes in the POST when the server offers
 * creation-with-upload), HEAD to resume, chunked or streamed PATCH, termination, checksum and
 * concatenation (parallelUploads > 1). One `upload()` call is one attempt; the engine retries.
 */
export function createTusTransport(): Transport<TusCheckpointState> {
  const capabilities = createCapabilityCache()
  // Endpoints whose trailers are lost on the way (a proxy drops them): no more trailers to them.
  const trailersLost = new Set<string>()

  /** Only ask OPTIONS when an optional feature depends on it (checksums are on by default). */
  async function discover(ctx: TusContext): Promise<ServerCapabilities | undefined> {
    const o = ctx.options
    if (o.checksum === false && o.parallelUploads <= 1) return undefined
    return capabilities(ctx)
  }

  /**
   * Bytes to send in the creation POST (creation-with-upload): min(size, creationWithUpload,
   * chunkSize) when the server advertises the extension, else 0. With checksums a file larger than
   * that goes all in one PATCH when its sha256 rides in a trailer (each byte hashed once, for the
   * request and the file alike). OPTIONS is asked once per endpoint; its failure means "not
   * offered", never a failed attempt.
   */
  async function creationBody(ctx: TusContext, plan: VerifyPlan): Promise<number> {
    const o = ctx.options
    const n = Math.min(ctx.size, o.creationWithUpload, o.chunkSize)
    if (n <= 0 || (plan.trailer && n < ctx.size)) return 0
    let caps: ServerCapabilities
    try {
      caps = await capabilities(ctx)
    } catch (err) {
      if (ctx.signal.aborted) throw err // paused or canceled: the attempt ends here
      return 0
    }
    return caps.extensions.has('creation-with-upload') ? n : 0
  }

  return {
    name: 'tus',
    resumable: true,
    parallelChunks: true,
    parseState: (state, checkpoint) => parseTusState(state, checkpoint.size),
    async upload(ctx) {
      const caps = await discover(ctx)
      const o = ctx.options
      const checksum = pickChecksum(o.checksum, caps)
      const concat = o.parallelUploads > 1 && caps?.extensions.has('concatenation') === true && ctx.size > 1
      if (concat || ctx.checkpoint?.state.parts) {
        return uploadConcatenated(ctx, o.chunkSize === Number.POSITIVE_INFINITY ? undefined : checksum)
      }
      // A file whose identity goes to a server that checks it at completion is verified by it: the
      // file's SHA-256 (and the server's, for Repr-Digest) would hash every byte once more.
      const byIdentity =
        o.checksum === 'auto' &&
        checksum !== undefined &&
        ctx.identity !== undefined &&
        caps?.extensions.has('instant-upload') === true
      const plan: VerifyPlan = {
        checksum,
        trailer:
          o.chunkSize === Number.POSITIVE_INFINITY &&
          checksum === 'sha256' &&
          caps?.extensions.has('checksum-trailer') === true &&
          o.httpClient.trailers === true &&
          !trailersLost.has(o.endpoint),
        // Only servers with the checksum extension are asked for a digest (Want-Repr-Digest): a
        // header others do not know could fail a browser's CORS preflight against them.
        file: checksum === undefined || byIdentity ? undefined : fileDigest(ctx.source, o.sha256),
        byIdentity,
        blocks:
          checksum !== undefined && caps?.checksumAlgorithms.has('sha256-4m') && ctx.identityBlocks
            ? { digests: ctx.identityBlocks, fileSize: ctx.size }
            : undefined,
      }
      return uploadSingle(
        ctx,
        plan,
        () => identityFor(ctx, caps),
        () => creationBody(ctx, plan),
        () => trailersLost.add(o.endpoint),
      )
    },
    async terminate(ctx) {
      const urls = [ctx.checkpoint.url, ...(ctx.checkpoint.state.parts ?? []).map((p) => p.url)]
      for (const url of urls) {
        if (url === undefined) continue
        const res = await ctx.send({ method: 'DELETE', url, headers: tusHeaders() })
        // Already gone is what we wanted.
        if (res.status === 404 || res.status === 410) continue
        if (!isSuccess(res.status)) throw statusError(res, 'DELETE', url)
      }
    },
    // The same one OPTIONS per endpoint as checksums, creation-with-upload or concatenation, and
    // only when one of them asks it anyway; its failure means "not offered".
    async wantsIdentity(ctx) {
      const o = ctx.options
      // A file that fits whole in the creation POST goes in one request (see below): hashing it
      // first would only cost a read. Larger ones declare their identity to a server that offers
      // instant upload, and find their unfinished upload by it (resume by content).
      if (ctx.size === 0 || ctx.size <= Math.min(o.creationWithUpload, o.chunkSize)) return false
      const asked =
        o.checksum !== false ||
        o.parallelUploads > 1 ||
        Math.min(ctx.size, o.creationWithUpload, o.chunkSize) > 0
      if (!asked) return false
      try {
        return (await capabilities(ctx)).extensions.has('instant-upload')
      } catch (err) {
        if (ctx.signal.aborted) throw err
        return false
      }
    },
  }
}

/** How an upload of one whole file is verified (see verify.ts). */
interface VerifyPlan {
  /** Per-request checksum algorithm, when the server offers one. */
  checksum: ChecksumAlgorithm | undefined
  /** One streamed request carries its sha256 as a trailer. */
  trailer: boolean
  /** The file's own SHA-256, compared with the server's Repr-Digest; undefined when checksum is off. */
  file: FileDigest | undefined
  /** The identity's block digests, when the server takes sha256-4m checksums (see patch-loop.ts). */
  blocks: PatchTarget['blocks']
  /** Verified by the identity the server confirms at completion instead of the file's SHA-256. */
  byIdentity: boolean
}

async function uploadSingle(
  ctx: TusContext,
  plan: VerifyPlan,
  identityOf: () => Promise<Uint8Array | undefined>,
  creationBody: () => Promise<number>,
  onTrailerLost: () => void,
): Promise<TransportResult> {
  let url = ctx.checkpoint?.url
  let offset = 0
  let answer: HttpResponse | undefined
  if (url !== undefined) {
    const head = await headUpload(ctx, url)
    if (head.kind === 'missing') {
      // Expired or deleted on the server: start over, exactly once, with a fresh upload.
      ctx.restarted(head.reason, url)
      url = undefined
    } else if (head.length !== undefined && head.length !== ctx.size) {
      // The checkpoint belongs to another version of the file; never append to it.
      ctx.restarted('not-found', url)
      url = undefined
    } else {
      offset = head.offset
      answer = head.response
    }
  }
  if (url === undefined) {
    // The URL (and so the checkpoint) is only known once the POST is answered: a POST cut mid-body
    // is retried as a fresh creation, costing at most those bytes again.
    // A file that fits whole in the creation POST goes there as before: one request, nothing hashed
    // up front. A larger one declares its identity in a POST without body, so that a server holding
    // the file can answer with a challenge instead of taking the first bytes.
    let end = await creationBody()
    const identity = end < ctx.size ? await identityOf() : undefined
    if (identity) end = 0
    const created = await createWithChecksum(ctx, plan, end, identity ? identityHeaders(identity) : {})
    url = created.url
    offset = created.offset
    answer = created.response
    await ctx.saveCheckpoint({ url, state: {} })
    ctx.created(url)
    if (identity) {
      const instant = await proveIfChallenged(ctx, url, created.response, identity)
      if (instant) return instant
    }
  }
  ctx.confirmed(offset)
  const last = await patchUntilDone(ctx, {
    url,
    rangeStart: 0,
    length: ctx.size,
    offset,
    ...(plan.checksum ? { checksum: plan.checksum } : {}),
    trailer: plan.trailer,
    onTrailerLost,
    ...(plan.file ? { file: plan.file } : {}),
    ...(plan.blocks ? { blocks: plan.blocks } : {}),
    byIdentity: plan.byIdentity,
    onConfirmed: (n) => ctx.confirmed(n),
    onSent: (n) => ctx.sent(n),
  })
  if (plan.byIdentity) return verifyByIdentity(ctx, url, last ?? answer!)
  const verified = plan.file ? await verifyStored(ctx, url, last ?? answer!, plan.file) : undefined
  return verified ? { url, verified } : { url }
}

/**
 * The finishing answer's Upload-Identity: the server checked the stored bytes against the declared
 * identity (a mismatch was its 460). When it does not say (the identity was not declared to it, an
 * upload resumed from an older checkpoint), the stored bytes are checked the other way: the file's
 * SHA-256 against the Repr-Digest of a HEAD.
 */
async function verifyByIdentity(ctx: TusContext, url: string, res: HttpResponse): Promise<TransportResult> {
  const stated = parseIdentity(res.header('upload-identity') ?? '')
  if (ctx.identity && typeof stated !== 'string' && encodeBase64(stated) === encodeBase64(ctx.identity)) {
    return { url, identity: { algorithm: 'sha256-4m', digest: encodeBase64(stated) } }
  }
  const head = await headUpload(ctx, url)
  if (head.kind === 'missing') return { url }
  const verified = await verifyStored(ctx, url, head.response, fileDigest(ctx.source, ctx.options.sha256))
  return verified ? { url, verified } : { url }
}

/**
 * The creation POST, its first `end` bytes checksummed in a header when checksums are on (they
 * are in memory anyway, at most creationWithUpload). A 460 is sent again at once, a bounded number
 * of times, like a PATCH's.
 */
async function createWithChecksum(
  ctx: TusContext,
  plan: VerifyPlan,
  end: number,
  extraHeaders: Record<string, string>,
): Promise<Created> {
  const create = { length: ctx.size, metadata: { ...ctx.metadata }, headers: extraHeaders }
  // An empty file is finished by its creation: ask for the digest there.
  if (ctx.size === 0 && plan.file)
    return createUploadWithBody(ctx, {
      ...create,
      headers: { ...extraHeaders, 'Want-Repr-Digest': 'sha-256=10' },
    })
  if (end <= 0) return createUploadWithBody(ctx, create)
  const onSent = (n: number) => ctx.sent(n)
  if (plan.checksum === undefined) return createUploadWithBody(ctx, { ...create, body: { end, onSent } })
  const bytes = await ctx.source.read(0, end)
  const digest = await ctx.options.digest(plan.checksum, bytes)
  const headers: Record<string, string> = { 'Upload-Checksum': `${plan.checksum} ${encodeBase64(digest)}` }
  if (plan.file) {
    headers['Want-Repr-Digest'] = 'sha-256=10'
    await plan.file.seek(0)
    plan.file.update(bytes)
  }
  for (let mismatches = 0; ; mismatches++) {
    try {
      return await createUploadWithBody(ctx, { ...create, body: { end, onSent, bytes, headers } })
    } catch (err) {
      const damaged =
        err instanceof HttpStatusError && err.status === 460 && err.code !== 'ERR_DIGEST_MISMATCH'
      if (!damaged || mismatches >= MAX_CHECKSUM_MISMATCHES) throw err
      ctx.checksumMismatch?.(0)
      ctx.sent(0)
    }
  }
}
