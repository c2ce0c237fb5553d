import { Readable } from 'node:stream'
import type { ByteSource, Lease, WriteOptions } from '@shuttle/server'
import type { Bucket } from './bucket.js'
import type { PartBuffers } from './part-buffers.js'
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
  /** Fed every byte this write keeps, in order (its state after a rejected write does not matter). */
  hash?: WriteOptions['hash']
  /** Parts of this write uploading at once while the next one fills. */
  depth: number
  /** The store-wide cap on parts in flight. */
  slots: Slots
  /** Where part buffers come from and go back to once their part is stored. */
  buffers?: PartBuffers | undefined
  /** A checksummed write: its bytes count only once `verify.decide` says so. */
  verify?: PartVerify | undefined
  /**
   * Makes parts 1..`parts` count (the upload's `trustedParts`); called once the write's bytes are
   * stored, before the tail it started from is deleted. Given for checksummed writes and for writes
   * on an upload that already limits its trusted parts (their parts count only once it moves).
   */
  commit?: ((parts: number) => Promise<void>) | undefined
}

/** What a checksummed write does around its parts (see writeParts). */
export interface PartVerify {
  /** Fed every byte of the body (not the stored tail the write continues). */
  readonly hash?: { update(data: Uint8Array): unknown } | undefined
  /**
   * Awaited once before the write's first UploadPart: from then on, parts from the write's first
   * part on must not count until `commit` (the store lowers `trustedParts`).
   */
  guard(): Promise<void>
  /**
   * Once the body stopped and every full part is stored, before anything else is: true keeps the
   * write's bytes, false drops them all (the offset stays), a throw refuses them (e.g. 460).
   * `ended`: the whole body arrived (not cut off, not past `maxBytes`); `received`: its bytes.
   */
  decide(ended: boolean, received: number): boolean
}

export interface PartWriteResult {
  /** The upload's offset now: every byte up to it is stored (parts, then at most one tail). */
  offset: number
  /** The body held more than `maxBytes`; what fit was stored. */
  overflow: boolean
  /** New bytes were stored. */
  changed: boolean
}

type Next = { chunk: Uint8Array } | { end: 'ended' | 'stopped' }

/**
 * Streams `body` into fixed-size parts: a full P-byte buffer becomes UploadPart while the next one
 * fills (at most `depth` in flight), so memory per write stays within P × (depth + 1). The
 * remainder becomes the final part when it ends the upload, else tail `<n>` (n = the part it will
 * start). The tail this write started from is deleted only after the part that holds its bytes is
 * stored. When the body ends, fails or the signal aborts, what arrived is stored; when the lease is
 * lost, nothing more is.
 *
 * A checksummed write (`verify`) uploads its full parts as they fill, like any other, but behind
 * `trustedParts` (set by `verify.guard` before its first part), so none of them counts yet; once the
 * body stopped, `verify.decide` rules: kept, the rest becomes the final part or the next tail and
 * `commit` makes the parts count; dropped or refused, nothing more is written and the tail it
 * started from stays, so the offset is what it was. Memory is the same as an unchecked write's.
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
  const take = () => options.buffers?.take(P) ?? Buffer.allocUnsafe(P)
  let buffer = take()
  let fill = 0
  if (target.tail) {
    target.tail.copy(buffer)
    fill = target.tail.length
  }
  const limit = options.maxBytes ?? Number.POSITIVE_INFINITY
  let received = 0
  let overflow = false
  const inflight: Promise<void>[] = []
  let guarded = false
  let ended = false
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
    if (!guarded) {
      await options.verify?.guard()
      guarded = true
    }
    options.lease?.assertHeld()
    partNumber++
    buffer = take()
    fill = 0
    const upload = options.slots
      .run(() => bucket.uploadPart(target.dataKey, target.uploadId, n, bytes, options.lease?.lost))
      .then(() => options.buffers?.give(bytes))
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
      if ('end' in next) {
        ended = next.end === 'ended'
        break
      }
      let chunk = next.chunk
      if (received + chunk.length > limit) {
        chunk = chunk.subarray(0, limit - received)
        overflow = true
      }
      received += chunk.length
      options.verify?.hash?.update(chunk)
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

  const start = base + (target.tail?.length ?? 0)
  // A refused body (the decision throws) keeps nothing either; its buffer is no longer read.
  const keep = options.verify
    ? decided(() => options.verify!.decide(ended && !overflow, received), buffer, options.buffers)
    : true
  if (received === 0 || !keep) {
    options.buffers?.give(buffer)
    return { offset: start, overflow, changed: false }
  }
  const end = base + (partNumber - target.firstPart) * P + fill
  let full = partNumber - 1
  if (fill > 0) {
    options.lease?.assertHeld()
    const rest = buffer.subarray(0, fill)
    if (target.size !== undefined && end === target.size) {
      await bucket.uploadPart(target.dataKey, target.uploadId, partNumber, rest, options.lease?.lost)
      full = partNumber
    } else {
      checkPartLimit(target.id, end, P)
      // Same key as the tail this write started from when no part filled: PUT replaces it whole.
      await bucket.put(target.tailKey(partNumber), rest, options.lease?.lost)
    }
  }
  options.buffers?.give(buffer)
  if (options.commit) {
    options.lease?.assertHeld()
    await options.commit(full)
  }
  // The tail this write started from now lives in a stored part that counts: only now may it go.
  if (target.tail && partNumber > target.firstPart) {
    await bucket.delete(target.tailKey(target.firstPart)).catch(() => {})
  }
  return { offset: end, overflow, changed: true }
}

function decided(decide: () => boolean, buffer: Buffer, buffers: PartBuffers | undefined): boolean {
  try {
    return decide()
  } catch (err) {
    buffers?.give(buffer)
    throw err
  }
}

/** The next chunk; or 'ended' when the body ended, 'stopped' when it failed or `signal` aborted first. */
async function nextOrStop(iterator: AsyncIterator<Uint8Array>, signal: AbortSignal): Promise<Next> {
  if (signal.aborted) return { end: 'stopped' }
  let onAbort: (() => void) | undefined
  const stopped = new Promise<Next>((resolve) => {
    onAbort = () => resolve({ end: 'stopped' })
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    const result = await Promise.race([
      iterator.next().then(
        (r): Next => (r.done ? { end: 'ended' } : { chunk: r.value }),
        (): Next => ({ end: 'stopped' }), // a client that went away: keep what arrived
      ),
      stopped,
    ])
    return result
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort)
  }
}
