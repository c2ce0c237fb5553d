import { Readable } from 'node:stream'
import type { ByteSource, Lease, RunningHash } from '@shuttle/server'
import type { Bucket } from './bucket.js'
import { checkPartLimit } from './part-plan.js'
import type { Slots } from './slots.js'

/** Where a write continues: after `firstPart − 1` stored parts, with tail `firstPart` if any. */
export interface PartTarget {
  id: string
  dataKey: string
  uploadId: string
  partSize: number
  size: number | undefined
  firstPart: number
  /** The bytes of tail `firstPart` (already stored), which the next part or tail replaces. */
  tail: Buffer | undefined
  tailKey(n: number): string
}

export interface PartWriteOptions {
  signal: AbortSignal
  lease: Lease | undefined
  maxBytes: number | undefined
  onProgress: ((offset: number) => void) | undefined
  /** Fed every byte this write keeps, in order (the server's running SHA-256 of the upload). */
  hash?: RunningHash | undefined
  /** Parts of this write uploading at once while the next one fills. */
  depth: number
  /** The store-wide cap on parts in flight. */
  slots: Slots
}

export interface PartWriteResult {
  /** The upload's offset now: every byte up to it is stored (parts, then at most one tail). */
  offset: number
  /** The body held more than `maxBytes`; what fit was stored. */
  overflow: boolean
  /** New bytes were stored. */
  changed: boolean
}

/**
 * Streams `body` into fixed-size parts: a full P-byte buffer becomes UploadPart while the next one
 * fills (at most `depth` in flight), so memory per write stays within P × (depth + 1). The
 * remainder becomes the final part when it ends the upload, else tail `<n>` (n = the part it will
 * start). The tail this write started from is deleted only after the part that holds its bytes is
 * stored. When the body ends, fails or the signal aborts, what arrived is stored; when the lease is
 * lost, nothing more is.
 */
export async function writeParts(
  bucket: Bucket,
  target: PartTarget,
  body: ByteSource,
  options: PartWriteOptions,
): Promise<PartWriteResult> {
  const P = target.partSize
  const base = (target.firstPart - 1) * P
  let partNumber = target.firstPart
  let buffer = Buffer.allocUnsafe(P)
  let fill = 0
  if (target.tail) {
    target.tail.copy(buffer)
    fill = target.tail.length
  }
  const limit = options.maxBytes ?? Number.POSITIVE_INFINITY
  let received = 0
  let overflow = false
  const inflight: Promise<void>[] = []
  // Progress as soon as parts are stored (in order: parts may finish out of order), not when the
  // pipeline next waits for one, so metrics and progress events move while a long PATCH streams.
  const done: boolean[] = []
  let stored = 0 // parts of this write stored, in order
  const partStored = (k: number) => {
    done[k] = true
    const before = stored
    while (done[stored]) stored++
    if (stored > before) options.onProgress?.(base + stored * P)
  }

  const awaitOldest = async () => {
    await inflight.shift()
  }
  const flushFull = async () => {
    const bytes = buffer
    const n = partNumber
    checkPartLimit(target.id, n * P, P)
    while (inflight.length >= options.depth) await awaitOldest()
    options.lease?.assertHeld()
    partNumber++
    buffer = Buffer.allocUnsafe(P)
    fill = 0
    const upload = options.slots.run(() =>
      bucket.uploadPart(target.dataKey, target.uploadId, n, bytes, options.lease?.lost),
    )
    const k = n - target.firstPart
    // Awaited in order below; an early failure must not go unhandled.
    upload.then(
      () => partStored(k),
      () => {},
    )
    inflight.push(upload)
  }

  try {
    const source = body instanceof Readable ? body.iterator({ destroyOnReturn: false }) : body
    const iterator = source[Symbol.asyncIterator]()
    // A lost lease stops reading at once too (then the check below refuses to store the rest).
    const stop = options.lease ? AbortSignal.any([options.signal, options.lease.lost]) : options.signal
    for (;;) {
      const next = await nextOrStop(iterator, stop)
      if (!next) break
      let chunk = next
      if (received + chunk.length > limit) {
        chunk = chunk.subarray(0, limit - received)
        overflow = true
      }
      received += chunk.length
      options.hash?.update(chunk)
      let at = 0
      while (at < chunk.length) {
        const n = Math.min(P - fill, chunk.length - at)
        buffer.set(chunk.subarray(at, at + n), fill)
        fill += n
        at += n
        if (fill === P) await flushFull()
      }
      if (overflow) break
    }
    while (inflight.length > 0) await awaitOldest()
    options.lease?.assertHeld()
  } catch (err) {
    await Promise.allSettled(inflight)
    throw err
  }

  if (received === 0) return { offset: base + (target.tail?.length ?? 0), overflow, changed: false }
  // The tail this write started from now lives in a stored part: only now may it go.
  if (target.tail && partNumber > target.firstPart) {
    await bucket.delete(target.tailKey(target.firstPart)).catch(() => {})
  }
  const end = base + (partNumber - target.firstPart) * P + fill
  if (fill > 0) {
    options.lease?.assertHeld()
    const rest = buffer.subarray(0, fill)
    if (target.size !== undefined && end === target.size) {
      await bucket.uploadPart(target.dataKey, target.uploadId, partNumber, rest, options.lease?.lost)
    } else {
      checkPartLimit(target.id, end, P)
      // Same key as the tail this write started from when no part filled: PUT replaces it whole.
      await bucket.put(target.tailKey(partNumber), rest, options.lease?.lost)
    }
  }
  return { offset: end, overflow, changed: true }
}

/** The next chunk, or undefined when the body ended, failed, or `signal` aborted first. */
async function nextOrStop(
  iterator: AsyncIterator<Uint8Array>,
  signal: AbortSignal,
): Promise<Uint8Array | undefined> {
  if (signal.aborted) return undefined
  let onAbort: (() => void) | undefined
  const stopped = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined)
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    const result = await Promise.race([
      iterator.next().then(
        (r) => (r.done ? undefined : r.value),
        () => undefined, // a client that went away: keep what arrived
      ),
      stopped,
    ])
    return result
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort)
  }
}
