import { closeSync, fstatSync, openSync } from 'node:fs'
import { open } from 'node:fs/promises'
import type { Readable } from 'node:stream'
import { TusError } from '@shuttle/protocol'
import type { Lease } from '../../types.js'
import { FileWriter, onThisThread, type WriteGuard } from './file-writer.js'

// On the thread pool, batches of up to 256 KiB: the request is paused once that much waits for the
// disk, and what arrives during a write goes out as one writev. Fewer, larger writes mean fewer
// thread-pool handoffs, while batches of MiBs are copied into the page cache after their bytes have
// left the CPU cache (4 MiB cost 2.8-3.0 s of system time per GiB). `npm run bench`, 4 interleaved
// runs, Shuttle → Shuttle, 1 GiB: 64 -> 256 KiB took one request from 369-470 to 470-551 MiB/s.
const HIGH_WATER_MARK = 256 * 1024

export interface StreamToFileOptions {
  path: string
  /** 'r+' to write into an existing file at `start`, 'w' to start a fresh one. */
  flags: 'r+' | 'w'
  start: number
  /** When given, the file must be exactly this long when opened (else 409: another writer moved it). */
  expectSize?: number
  /** Checked before every write: once the lock is lost, nothing more is written. */
  lease?: Lease
  /** Most bytes to take from `body`; the rest is left unread. */
  maxBytes: number | undefined
  signal: AbortSignal
  /** Main thread or thread pool (see file-writer.ts). */
  guard: WriteGuard
  hash?: { update(data: Uint8Array): unknown } | undefined
  onBytes?: (written: number) => void
}

export interface StreamToFileResult {
  written: number
  /** The body carried more than `maxBytes`. */
  overflow: boolean
  /** The body ended normally (not aborted, not cut by the signal or by `maxBytes`). */
  ended: boolean
}

const noop = () => {}

interface OpenFile {
  readonly fd: number
  size(): Promise<number>
  close(): Promise<void>
}

/**
 * Opens on this thread while the guard keeps writes there (a thread-pool handoff per open, stat and
 * close is a wake-up of another thread each, three per PATCH), else on the thread pool.
 */
async function openFile(path: string, flags: 'r+' | 'w', guard: WriteGuard): Promise<OpenFile> {
  if (guard.threadPool()) {
    const handle = await open(path, flags)
    return { fd: handle.fd, size: async () => (await handle.stat()).size, close: () => handle.close() }
  }
  const fd = onThisThread(guard, () => openSync(path, flags))
  return {
    fd,
    size: async () => fstatSync(fd).size,
    close: async () => closeSync(fd),
  }
}

/**
 * Copies `body` into a file with backpressure, buffering no more than what one turn of the event
 * loop delivered (FileWriter). When the client disconnects or `signal` aborts, what arrived is
 * still written before this resolves: a later HEAD reports exactly those bytes.
 */
export async function streamToFile(body: Readable, o: StreamToFileOptions): Promise<StreamToFileResult> {
  // A disconnect may emit 'error' on the request after we detached; never let it go unhandled.
  body.on('error', noop)
  const file = await openFile(o.path, o.flags, o.guard)
  if (o.expectSize !== undefined) {
    const size = await file.size()
    if (size !== o.expectSize) {
      await file.close()
      throw new TusError(
        'ERR_OFFSET_MISMATCH',
        409,
        `The upload holds ${size} bytes, not ${o.expectSize}: another writer changed it. HEAD the upload and resume from its offset.`,
      )
    }
  }
  let written = 0
  let overflow = false
  let ended = false
  let stopped = false
  let failure: unknown
  let stop: () => void = noop
  const done = new Promise<void>((resolve) => {
    stop = () => {
      if (stopped) return
      stopped = true
      body.off('data', onData)
      body.off('end', onEnd)
      body.off('close', stop)
      body.off('error', stop)
      o.signal.removeEventListener('abort', stop)
      body.pause()
      resolve()
    }
  })
  const writer = new FileWriter(file.fd, o.start, {
    guard: o.guard,
    lease: o.lease,
    highWaterMark: HIGH_WATER_MARK,
    onDrain: () => {
      if (!stopped) body.resume()
    },
    onError: (err) => {
      failure = err
      stop()
    },
  })
  const onData = (chunk: Buffer) => {
    let piece = chunk
    if (o.maxBytes !== undefined && written + piece.length > o.maxBytes) {
      piece = piece.subarray(0, o.maxBytes - written)
      overflow = true
    }
    if (piece.length > 0) {
      o.hash?.update(piece)
      const more = writer.write(piece)
      if (failure !== undefined) return
      written += piece.length
      if (!more) body.pause()
      o.onBytes?.(written)
    }
    if (overflow) stop()
  }
  const onEnd = () => {
    ended = true
    stop()
  }
  try {
    if (o.signal.aborted || body.readableEnded || body.destroyed) {
      ended = body.readableEnded
      stop()
    } else {
      body.on('data', onData)
      body.once('end', onEnd)
      body.once('close', stop)
      body.once('error', stop)
      o.signal.addEventListener('abort', stop, { once: true })
      body.resume()
    }
    await done
    await writer.finished()
  } finally {
    await file.close()
  }
  if (failure !== undefined) throw failure
  return { written, overflow, ended }
}
