import { UploadError } from '@shuttle/protocol'
import type { AbortSignalLike } from '../platform.js'
import type { HttpClient, HttpRequest, HttpResponse } from '../ports.js'

// An in-memory tus server behind the HttpClient port, for unit tests of the engine. PATCHes can be
// held open (to observe the scheduler mid-upload) and statuses can be scripted per request.

/** A request that never answers: rejects with ERR_ABORTED once `signal` aborts (pause, cancel). */
export function untilAborted(signal: AbortSignalLike): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(new UploadError('ERR_ABORTED', 'aborted'))
    signal.addEventListener('abort', () => reject(new UploadError('ERR_ABORTED', 'aborted')), { once: true })
  })
}

export interface FakeUpload {
  length: number
  offset: number
  bytes: Uint8Array
  deleted: boolean
}

export interface LoggedRequest {
  method: string
  url: string
  headers: Record<string, string>
  bodyStart?: number
  bodyEnd?: number
}

export interface FakeTus {
  client: HttpClient
  uploads: Map<string, FakeUpload>
  log: LoggedRequest[]
  /** While true, PATCHes wait for release() (or their abort). */
  hold: boolean
  /** Resolve every held PATCH normally. */
  release(): void
  /** Tus-Extension of the OPTIONS answer (default: no creation-with-upload). */
  extensions: string
  /** Scripted answers: return a status to short-circuit a request. */
  intercept?: (req: HttpRequest) => number | undefined
  held(): number
}

const res = (status: number, headers: Record<string, string> = {}, body = ''): HttpResponse => ({
  status,
  header: (name) => headers[name.toLowerCase()],
  body,
})

export function createFakeTus(endpoint = 'http://tus.test/files'): FakeTus {
  const uploads = new Map<string, FakeUpload>()
  const log: LoggedRequest[] = []
  let waiting: Array<() => void> = []
  let n = 0
  const fake: FakeTus = {
    uploads,
    log,
    hold: false,
    extensions: 'creation,termination,checksum,concatenation',
    release() {
      const w = waiting
      waiting = []
      for (const go of w) go()
    },
    held: () => waiting.length,
    client: {
      async send(req) {
        const entry: LoggedRequest = { method: req.method, url: req.url, headers: req.headers }
        if (req.body?.kind === 'range')
          Object.assign(entry, { bodyStart: req.body.start, bodyEnd: req.body.end })
        log.push(entry)
        if (req.signal.aborted) throw new UploadError('ERR_ABORTED', 'aborted')
        const scripted = fake.intercept?.(req)
        if (scripted !== undefined) return res(scripted, {}, `scripted ${scripted}`)
        const up = uploads.get(req.url)
        switch (req.method) {
          case 'OPTIONS':
            return res(204, {
              'tus-extension': fake.extensions,
              'tus-checksum-algorithm': 'sha1,sha256',
            })
          case 'POST': {
            const id = `${endpoint}/${++n}`
            const length = Number(req.headers['Upload-Length'] ?? 0)
            const created = { length, offset: 0, bytes: new Uint8Array(length), deleted: false }
            uploads.set(id, created)
            // creation-with-upload: store the body like a PATCH at offset 0 would.
            const body = req.body
            if (
              (body?.kind === 'range' || body?.kind === 'bytes') &&
              fake.extensions.split(',').includes('creation-with-upload')
            ) {
              const bytes = body.kind === 'bytes' ? body.bytes : await body.source.read(body.start, body.end)
              req.onUploadProgress?.(bytes.length)
              created.bytes.set(bytes, 0)
              created.offset = bytes.length
              return res(201, { location: id, 'upload-offset': String(created.offset) })
            }
            return res(201, { location: id })
          }
          case 'HEAD':
            if (!up || up.deleted) return res(404)
            return res(200, { 'upload-offset': String(up.offset), 'upload-length': String(up.length) })
          case 'DELETE':
            if (!up || up.deleted) return res(404)
            up.deleted = true
            return res(204)
          case 'PATCH': {
            if (!up || up.deleted) return res(404)
            if (Number(req.headers['Upload-Offset']) !== up.offset) return res(409)
            const body = req.body
            const bytes =
              body?.kind === 'range'
                ? await body.source.read(body.start, body.end)
                : body?.kind === 'bytes'
                  ? body.bytes
                  : new Uint8Array()
            req.onUploadProgress?.(Math.floor(bytes.length / 2))
            if (fake.hold) {
              await new Promise<void>((resolve, reject) => {
                if (req.signal.aborted) return reject(new UploadError('ERR_ABORTED', 'aborted'))
                waiting.push(resolve)
                req.signal.addEventListener(
                  'abort',
                  () => reject(new UploadError('ERR_ABORTED', 'aborted')),
                  { once: true },
                )
              })
            }
            if (req.signal.aborted) throw new UploadError('ERR_ABORTED', 'aborted')
            req.onUploadProgress?.(bytes.length)
            up.bytes.set(bytes, up.offset)
            up.offset += bytes.length
            return res(204, { 'upload-offset': String(up.offset) })
          }
          default:
            return res(405)
        }
      },
    },
  }
  return fake
}

/**
 * Lets pending promise callbacks run (no timers involved): rounds of microtasks, enough for the
 * engine's longest await chain between two requests (each feature on that path adds to it).
 */
export async function flush(rounds = 100): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve()
}
