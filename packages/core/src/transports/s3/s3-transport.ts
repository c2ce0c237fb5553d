import { HttpStatusError, UploadError } from '@shuttle/protocol'
import type { NormalizedOptions } from '../../options.js'
import { linkedController } from '../../platform.js'
import { statusError } from '../http.js'
import type { Transport, TransportResult } from '../transport.js'
import { createDirectClient } from './direct-client.js'
import { choosePartSize, type PlannedPart, planParts } from './part-planner.js'
import { createCompanionClient, type S3MultipartClient, type S3UploadRef } from './s3-client.js'
import { normalizeS3Options } from './s3-options.js'
import { parseS3State, type S3CheckpointPart, type S3CheckpointState, type S3Context } from './s3-state.js'

/** Fresh signatures per part and attempt when S3 refuses one (expired URL or credentials). */
const MAX_RESIGNS_PER_PART = 2

/**
 * S3 multipart, straight from the client to the bucket. Each part is signed just before it is
 * sent; `parallelUploads` parts of a file are in flight at once. Pause aborts the part requests
 * and keeps the multipart upload (never AbortMultipartUpload, the seed's bug); the next attempt
 * asks ListParts and sends only what is missing. Cancel (terminate) aborts the upload.
 */
export function createS3Transport(options: NormalizedOptions): Transport<S3CheckpointState> {
  // protocol 's3' normalizes `s3` up front; a transport picked by hand gets the defaults here.
  const s3 = options.s3 ?? normalizeS3Options(undefined, options.endpoint)
  const client =
    s3.mode === 'server' ? createCompanionClient(s3.endpoint) : createDirectClient(s3, options.clock)
  return {
    name: 's3',
    resumable: true,
    parallelChunks: true,
    parseState: parseS3State,
    upload: (ctx) => uploadMultipart(ctx, client, s3.partSize),
    async terminate(ctx) {
      await client.abort(ctx.send, ctx.checkpoint.state)
    },
  }
}

async function uploadMultipart(
  ctx: S3Context,
  client: S3MultipartClient,
  preferredPartSize: number,
): Promise<TransportResult> {
  const saved = ctx.checkpoint?.state
  let ref: S3UploadRef | undefined
  let partSize = choosePartSize(ctx.size, preferredPartSize)
  const done = new Map<number, S3CheckpointPart>()
  if (saved) {
    const listed = await client.listParts(ctx.send, saved)
    if (listed === 'missing') {
      // Aborted by a sweep or expired: start over, once, with a new multipart upload.
      ctx.restarted('not-found', client.uploadUrl(saved))
    } else {
      ref = { key: saved.key, uploadId: saved.uploadId }
      partSize = saved.partSize
      // ListParts is the truth; a part of the wrong size (another plan) is sent again.
      const plan = planParts(ctx.size, partSize)
      for (const p of listed) {
        const planned = plan[p.partNumber - 1]
        if (planned && planned.end - planned.start === p.size) done.set(p.partNumber, p)
      }
    }
  }
  const plan = planParts(ctx.size, partSize)
  const source = ctx.source
  if (!ref) {
    ref = await client.create(ctx.send, {
      name: source.info.name,
      type: source.info.type || 'application/octet-stream',
      metadata: { ...ctx.metadata },
    })
  }
  const upload = ref
  const url = client.uploadUrl(upload)
  const snapshot = () => ({
    url,
    state: { ...upload, partSize, parts: [...done.values()].sort((a, b) => a.partNumber - b.partNumber) },
  })
  // Checkpoint writes from parallel parts are chained so an older write never lands last.
  let saving: Promise<void> = Promise.resolve()
  const save = () => {
    const cp = snapshot()
    saving = saving.then(() => ctx.saveCheckpoint(cp))
    return saving
  }
  await save()
  if (saved?.uploadId !== upload.uploadId) ctx.created(url)

  // Progress: only parts S3 acknowledged are confirmed; in-flight bytes only move the bar.
  const inFlight = new Map<number, number>()
  let confirmed = 0
  for (const p of done.values()) confirmed += p.size
  const report = () => {
    let sending = 0
    for (const n of inFlight.values()) sending += n
    ctx.sent(confirmed + sending)
  }
  ctx.confirmed(confirmed)

  const { controller, dispose } = linkedController(ctx.signal)
  const signal = controller.signal

  const sendPart = async (part: PlannedPart): Promise<void> => {
    for (let resign = 0; ; resign++) {
      const signed = await client.signPart(ctx.send, upload, part.partNumber)
      let res: Awaited<ReturnType<typeof ctx.send>>
      try {
        res = await ctx.send({
          method: 'PUT',
          url: signed.url,
          headers: signed.headers,
          body: { kind: 'range', source, start: part.start, end: part.end },
          userHeaders: false,
          withCredentials: false,
          signal,
          onUploadProgress: (n) => {
            inFlight.set(part.partNumber, Math.min(n, part.end - part.start))
            report()
          },
        })
      } catch (err) {
        inFlight.delete(part.partNumber)
        if (err instanceof HttpStatusError && err.status === 403 && resign < MAX_RESIGNS_PER_PART) {
          client.authFailed(signed)
          continue
        }
        throw err
      }
      inFlight.delete(part.partNumber)
      if (res.status < 200 || res.status >= 300)
        throw statusError(res, 'PUT', `${url} part ${part.partNumber}`)
      const etag = res.header('etag')
      if (!etag) {
        throw new UploadError(
          'ERR_S3',
          `S3 stored part ${part.partNumber} but its ETag header is not readable; the bucket's CORS rules must expose ETag (shuttle s3-cors)`,
        )
      }
      done.set(part.partNumber, { partNumber: part.partNumber, size: part.end - part.start, etag })
      confirmed += part.end - part.start
      ctx.confirmed(confirmed)
      await save()
      return
    }
  }

  const pending = plan.filter((p) => !done.has(p.partNumber))
  let next = 0
  const worker = async () => {
    while (!signal.aborted) {
      const part = pending[next++]
      if (!part) return
      await sendPart(part)
    }
  }
  const lanes = Math.max(1, Math.min(ctx.options.parallelUploads, pending.length))
  try {
    // One failing part stops its siblings; the engine retries the attempt, which lists parts again.
    await Promise.all(
      Array.from({ length: lanes }, () =>
        worker().catch((err: unknown) => {
          controller.abort(err)
          throw err
        }),
      ),
    )
  } finally {
    dispose()
  }
  if (ctx.signal.aborted) throw new UploadError('ERR_ABORTED', 'Stopped')
  await saving
  ctx.completing()
  const parts = [...done.values()].sort((a, b) => a.partNumber - b.partNumber)
  const { location } = await client.complete(ctx.send, upload, parts)
  ctx.confirmed(ctx.size)
  return { url: location || url }
}
