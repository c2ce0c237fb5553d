import { linkedController } from '../../platform.js'
import type { TransportResult } from '../transport.js'
import { patchUntilDone } from './patch-loop.js'
import { createUpload, headUpload } from './tus-http.js'
import type { TusCheckpointPart, TusContext } from './tus-state.js'

/** Splits [0, size) into n contiguous parts of near-equal length (none empty). */
export function splitParts(size: number, n: number): TusCheckpointPart[] {
  const count = Math.max(1, Math.min(n, size))
  const base = Math.floor(size / count)
  const parts: TusCheckpointPart[] = []
  let start = 0
  for (let i = 0; i < count; i++) {
    const end = i === count - 1 ? size : start + base
    parts.push({ start, end })
    start = end
  }
  return parts
}

/**
 * tus concatenation: N partial uploads sent in parallel, each resumable on its own (its URL is in the
 * checkpoint), then one `Upload-Concat: final;…` POST that the server assembles.
 */
export async function uploadConcatenated(
  ctx: TusContext,
  checksum: 'sha1' | 'sha256' | undefined,
): Promise<TransportResult> {
  const saved = ctx.checkpoint
  if (saved?.url !== undefined && saved.state.parts) {
    const head = await headUpload(ctx, saved.url)
    if (head.kind === 'ok' && head.offset === ctx.size) {
      ctx.confirmed(ctx.size)
      return { url: saved.url }
    }
  }
  const parts: TusCheckpointPart[] =
    saved?.state.parts?.map((p) => ({ ...p })) ?? splitParts(ctx.size, ctx.options.parallelUploads)
  const confirmed = parts.map(() => 0)
  const sent = parts.map(() => 0)
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
  // Checkpoint writes from parallel parts are chained so an older write never lands last.
  let saving: Promise<void> = Promise.resolve()
  const save = () => {
    saving = saving.then(() => ctx.saveCheckpoint({ state: { parts: parts.map((p) => ({ ...p })) } }))
    return saving
  }

  // One failing part stops its siblings: the engine retries the whole attempt, each part resuming.
  const { controller, dispose } = linkedController(ctx.signal)
  const partCtx: TusContext = { ...ctx, signal: controller.signal }
  partCtx.send = (req) => ctx.send({ ...req, signal: controller.signal })

  const uploadPart = async (part: TusCheckpointPart, i: number) => {
    const length = part.end - part.start
    let offset = 0
    if (part.url !== undefined) {
      const head = await headUpload(partCtx, part.url)
      if (head.kind === 'missing') {
        ctx.restarted(head.reason, part.url)
        delete part.url
      } else offset = head.offset
    }
    if (part.url === undefined) {
      part.url = await createUpload(partCtx, { length, concat: 'partial' })
      await save()
    }
    confirmed[i] = offset
    sent[i] = offset
    ctx.confirmed(sum(confirmed))
    await patchUntilDone(partCtx, {
      url: part.url,
      rangeStart: part.start,
      length,
      offset,
      ...(checksum ? { checksum } : {}),
      onConfirmed: (n) => {
        confirmed[i] = n
        sent[i] = Math.max(sent[i] ?? 0, n)
        ctx.confirmed(sum(confirmed))
      },
      onSent: (n) => {
        sent[i] = n
        ctx.sent(sum(sent))
      },
    })
  }

  try {
    await Promise.all(
      parts.map((p, i) =>
        uploadPart(p, i).catch((err: unknown) => {
          controller.abort(err)
          throw err
        }),
      ),
    )
  } finally {
    dispose()
  }
  await saving
  const urls = parts.map((p) => p.url as string)
  const url = await createUpload(ctx, { concat: `final;${urls.join(' ')}`, metadata: { ...ctx.metadata } })
  await ctx.saveCheckpoint({ url, state: { parts } })
  ctx.created(url)
  ctx.confirmed(ctx.size)
  return { url }
}
