import http from 'node:http'
import https from 'node:https'
import { NetworkError, UploadError } from '@shuttle/protocol'
import type {
  FileSource,
  HttpClient,
  HttpRequest,
  HttpResponse,
  RequestBody,
  RequestTrailer,
} from '../ports.js'
import { type BufferPool, createBufferPool } from './buffer-pool.js'
import { formBody } from './multipart.js'

// 1 MiB reads halve the syscalls of 64 KiB ones; a few kept buffers serve every request in turn.
const READ_SIZE = 1024 * 1024
const pool = createBufferPool(READ_SIZE, 8)

const MAX_RESPONSE_TEXT = 64 * 1024

/**
 * HttpClient over node:http/https with keep-alive agents. Bodies are streamed from the source with
 * backpressure (await 'drain'), so memory stays flat whatever the chunk size; progress counts bytes
 * written to the socket.
 */
export function createNodeHttpClient(agents: { http?: http.Agent; https?: https.Agent } = {}): HttpClient {
  const httpAgent = agents.http ?? new http.Agent({ keepAlive: true })
  const httpsAgent = agents.https ?? new https.Agent({ keepAlive: true })
  return {
    trailers: true,
    close() {
      if (!agents.http) httpAgent.destroy()
      if (!agents.https) httpsAgent.destroy()
    },
    send(req) {
      return new Promise<HttpResponse>((resolve, reject) => {
        if (req.signal.aborted) return reject(aborted(req))
        const url = new URL(req.url)
        const isHttps = url.protocol === 'https:'
        const body = bodyOf(req.body)
        const headers: Record<string, string> = { ...req.headers }
        if (body.contentType) headers['Content-Type'] = body.contentType
        const trailer = req.body === undefined ? undefined : req.trailer
        // A trailer needs a chunked body: no Content-Length (the server bounds it by Upload-Length).
        if (trailer) headers.Trailer = trailer.name
        else if (body.length !== undefined) headers['Content-Length'] = String(body.length)
        else if (req.body === undefined && (req.method === 'POST' || req.method === 'PATCH'))
          headers['Content-Length'] = '0'
        let settled = false
        let bodyDone = false
        const finish = (fn: () => void) => {
          if (settled) return
          settled = true
          req.signal.removeEventListener('abort', onAbort)
          fn()
        }
        const r = (isHttps ? https : http).request(url, {
          method: req.method,
          headers,
          agent: isHttps ? httpsAgent : httpAgent,
        })
        const onAbort = () => {
          finish(() => reject(aborted(req)))
          r.destroy()
        }
        req.signal.addEventListener('abort', onAbort, { once: true })
        r.on('error', (err) =>
          finish(() =>
            reject(new NetworkError(`${req.method} ${req.url} failed: ${err.message}`, { cause: err })),
          ),
        )
        r.on('response', (res) => {
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (c: Buffer) => {
            if (size < MAX_RESPONSE_TEXT) chunks.push(c)
            size += c.length
          })
          res.on('error', (err) =>
            finish(() =>
              reject(new NetworkError(`${req.method} ${req.url}: response failed`, { cause: err })),
            ),
          )
          res.on('end', () => {
            // Answered before the whole body went out (409, 413, 460…): stop streaming the rest and
            // drop the socket rather than reuse one with half a body on it.
            if (!bodyDone) r.destroy()
            finish(() =>
              resolve({
                status: res.statusCode ?? 0,
                header: (name) => {
                  const v = res.headers[name.toLowerCase()]
                  return Array.isArray(v) ? v.join(', ') : v
                },
                body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_RESPONSE_TEXT),
              }),
            )
          })
        })
        writeBody(r, body, req.onUploadProgress, trailer).then(
          () => {
            bodyDone = true
            if (r.destroyed) return
            if (trailer) r.addTrailers({ [trailer.name]: trailer.value() })
            r.end()
          },
          (err: unknown) => {
            finish(() =>
              reject(
                err instanceof UploadError
                  ? err
                  : new UploadError(
                      'ERR_SOURCE_READ',
                      `Reading the file for ${req.method} ${req.url} failed`,
                      { cause: err },
                    ),
              ),
            )
            r.destroy()
          },
        )
      })
    },
  }
}

function aborted(req: HttpRequest): UploadError {
  return new UploadError('ERR_ABORTED', `${req.method} ${req.url} was aborted`)
}

interface NodeBody {
  chunks?: AsyncIterable<Uint8Array>
  /** Where the chunks' buffers go back once the socket has flushed them. */
  recycle?: BufferPool
  length?: number
  contentType?: string
}

function bodyOf(body: RequestBody | undefined): NodeBody {
  if (!body) return {}
  if (body.kind === 'bytes') return { chunks: once(body.bytes), length: body.bytes.byteLength }
  if (body.kind === 'range') {
    const { source, start, end } = body
    if (source.openReader)
      return { chunks: pooledRange(source, start, end), recycle: pool, length: end - start }
    const chunks = source.stream ? source.stream(start, end) : readOnce(() => source.read(start, end))
    return { chunks, length: end - start }
  }
  return formBody(body)
}

async function* once(bytes: Uint8Array) {
  yield bytes
}

/** [start, end) of `source` in pool buffers; fails if the file got shorter meanwhile. */
async function* pooledRange(source: FileSource, start: number, end: number) {
  const reader = await (source.openReader as NonNullable<FileSource['openReader']>)()
  try {
    for (let at = start; at < end; ) {
      const buf = pool.take()
      const want = Math.min(buf.length, end - at)
      let got = 0
      while (got < want) {
        const n = await reader.read(buf.subarray(got, want), at + got)
        if (n === 0) {
          pool.give(buf)
          throw new UploadError('ERR_SOURCE_CHANGED', `${source.info.name} got shorter while uploading`)
        }
        got += n
      }
      at += got
      yield buf.subarray(0, got)
    }
  } finally {
    await reader.close()
  }
}

async function* readOnce(read: () => Promise<Uint8Array>) {
  yield await read()
}

async function writeBody(
  r: http.ClientRequest,
  { chunks, recycle }: NodeBody,
  onProgress: ((n: number) => void) | undefined,
  trailer: RequestTrailer | undefined,
): Promise<void> {
  if (!chunks) return
  let sent = 0
  for await (const chunk of chunks) {
    if (r.destroyed) return
    // Before the write: a pooled buffer is reused once the socket took it.
    trailer?.observe(chunk)
    // The callback runs once the socket has taken the bytes (or with an error once it is gone).
    const ok = recycle ? r.write(chunk, () => recycle.give(chunk)) : r.write(chunk)
    sent += chunk.byteLength
    onProgress?.(sent)
    if (!ok) await drain(r)
  }
}

function drain(r: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      r.off('drain', done)
      r.off('close', done)
      resolve()
    }
    r.on('drain', done)
    r.on('close', done)
  })
}
