import type { Hash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import type { Readable } from 'node:stream'

// Batches of up to 256 KiB: the request is paused once that much waits for the disk, and what
// arrives during a write goes out as one writev. Fewer, larger writes mean fewer thread-pool
// handoffs (perf: futex wakeups and context switches were ~35 % of the server's CPU at 64 KiB),
// while batches of MiBs are copied into the page cache after their bytes have left the CPU cache
// (4 MiB cost 2.8-3.0 s of system time per GiB). `npm run bench`, 4 interleaved runs, Shuttle →
// Shuttle, 1 GiB: 64 -> 256 KiB took one request from 369-470 to 470-551 MiB/s and 8 MiB chunks
// from 428-449 to 569-662, server CPU 2.0-2.6 -> 1.3-1.9 s/GiB; tus-js-client's uploads unchanged.
const HIGH_WATER_MARK = 256 * 1024

export interface StreamToFileOptions {
  path: string
  /** 'r+' to write into an existing file at `start`, 'w' to start a fresh one. */
  flags: 'r+' | 'w'
  start: number
  /** Most bytes to take from `body`; the rest is left unread. */
  maxBytes: number | undefined
  signal: AbortSignal
  hash?: Hash
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

/**
 * Copies `body` into a file with backpressure and no intermediate buffering. When the client
 * disconnects or `signal` aborts, the file stream is ended (not destroyed) so every byte that
 * arrived is flushed to disk: a later HEAD reports exactly those bytes.
 */
export function streamToFile(body: Readable, o: StreamToFileOptions): Promise<StreamToFileResult> {
  return new Promise((resolve, reject) => {
    const ws = createWriteStream(o.path, { flags: o.flags, start: o.start, highWaterMark: HIGH_WATER_MARK })
    let written = 0
    let overflow = false
    let ended = false
    let stopped = false
    let failure: unknown

    const onData = (chunk: Buffer) => {
      let piece = chunk
      if (o.maxBytes !== undefined && written + piece.length > o.maxBytes) {
        piece = piece.subarray(0, o.maxBytes - written)
        overflow = true
      }
      if (piece.length > 0) {
        written += piece.length
        o.hash?.update(piece)
        if (!ws.write(piece)) body.pause()
        o.onBytes?.(written)
      }
      if (overflow) stop()
    }
    const onDrain = () => {
      if (!stopped) body.resume()
    }
    const onEnd = () => {
      ended = true
      stop()
    }
    const stop = () => {
      if (stopped) return
      stopped = true
      body.off('data', onData)
      body.off('end', onEnd)
      body.off('close', stop)
      body.off('error', stop)
      o.signal.removeEventListener('abort', stop)
      body.pause()
      ws.end()
    }

    // A disconnect may emit 'error' on the request after we detached; never let it go unhandled.
    body.on('error', noop)
    ws.on('drain', onDrain)
    ws.once('error', (err) => {
      failure = err
      stop()
      ws.destroy()
    })
    ws.once('close', () => {
      if (failure !== undefined) reject(failure)
      else resolve({ written, overflow, ended })
    })

    if (o.signal.aborted || body.readableEnded || body.destroyed) {
      ended = body.readableEnded
      stop()
      return
    }
    body.on('data', onData)
    body.once('end', onEnd)
    body.once('close', stop)
    body.once('error', stop)
    o.signal.addEventListener('abort', stop, { once: true })
    body.resume()
  })
}
