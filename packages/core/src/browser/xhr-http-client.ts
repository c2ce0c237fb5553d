import { NetworkError, UploadError } from '@shuttle/protocol'
import type { HttpClient, HttpResponse, RequestBody } from '../ports.js'

/**
 * HttpClient over XMLHttpRequest: the only browser API that reports upload progress (fetch can't).
 * Bodies are Blob slices, so the browser streams them from disk.
 */
export function createXhrHttpClient(
  createXhr: () => XMLHttpRequest = () => new XMLHttpRequest(),
): HttpClient {
  return {
    send(req) {
      return new Promise<HttpResponse>((resolve, reject) => {
        if (req.signal.aborted)
          return reject(new UploadError('ERR_ABORTED', `${req.method} ${req.url} was aborted`))
        const xhr = createXhr()
        xhr.open(req.method, req.url, true)
        xhr.withCredentials = req.withCredentials ?? false
        for (const [name, value] of Object.entries(req.headers)) xhr.setRequestHeader(name, value)
        const onAbort = () => xhr.abort()
        const cleanup = () => req.signal.removeEventListener('abort', onAbort)
        req.signal.addEventListener('abort', onAbort, { once: true })
        if (req.onUploadProgress) {
          const report = req.onUploadProgress
          xhr.upload.onprogress = (e) => report(e.loaded)
        }
        xhr.onload = () => {
          cleanup()
          resolve({
            status: xhr.status,
            header: (name) => xhr.getResponseHeader(name) ?? undefined,
            body: typeof xhr.responseText === 'string' ? xhr.responseText : '',
          })
        }
        xhr.onerror = () => {
          cleanup()
          reject(new NetworkError(`${req.method} ${req.url} failed (network error or CORS)`))
        }
        xhr.ontimeout = xhr.onerror
        xhr.onabort = () => {
          cleanup()
          reject(new UploadError('ERR_ABORTED', `${req.method} ${req.url} was aborted`))
        }
        xhr.send(bodyOf(req.body) ?? null)
      })
    },
  }
}

function bodyOf(body: RequestBody | undefined): XMLHttpRequestBodyInit | undefined {
  if (!body) return undefined
  // The bytes themselves, not `new Blob([bytes])`: a Blob would be one more copy in the browser's
  // blob storage, held until a garbage collection (see blob-reader.ts).
  if (body.kind === 'bytes') return body.bytes as Uint8Array<ArrayBuffer>
  if (body.kind === 'range')
    return (body.source.body?.(body.start, body.end) as Blob | undefined) ?? rangeError()
  const form = new FormData()
  for (const [k, v] of Object.entries(body.fields)) form.append(k, v)
  const file = body.source.body?.(0, body.source.info.size) as Blob | undefined
  if (!file) return rangeError()
  // A File carries the name and type in every implementation; append's third argument is not always honoured.
  form.append(body.fieldName, new File([file], body.filename, { type: body.contentType }), body.filename)
  return form
}

function rangeError(): never {
  throw new UploadError('ERR_SOURCE_READ', 'This source cannot produce a request body in the browser')
}
