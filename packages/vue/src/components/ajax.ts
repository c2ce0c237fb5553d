import type { UploadRequestHandler, UploadRequestOptions } from '../types.js'
import { headersRecord } from './list-state.js'

/** A failed form upload: the HTTP status, method and URL, and the server's message when it sent one. */
export class UploadAjaxError extends Error {
  override name = 'UploadAjaxError'
  readonly status: number
  readonly method: string
  readonly url: string
  constructor(message: string, status: number, method: string, url: string) {
    super(message)
    this.status = status
    this.method = method
    this.url = url
  }
}

function errorOf(xhr: XMLHttpRequest, o: UploadRequestOptions): UploadAjaxError {
  const body = xhr.responseText
  const msg = body || `fail to ${o.method} ${o.action} ${xhr.status}`
  return new UploadAjaxError(msg, xhr.status, o.method, o.action)
}

/** The response body, parsed as JSON when it is JSON (el-upload's rule). */
function bodyOf(xhr: XMLHttpRequest): unknown {
  const text = xhr.responseText
  if (!text) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** Form fields as el-upload sends them: Blobs as files, `[blob, name]` as a named file, arrays repeated. */
export function toFormData(o: Pick<UploadRequestOptions, 'data' | 'filename' | 'file'>): FormData {
  const form = new FormData()
  for (const [key, value] of Object.entries(o.data ?? {})) {
    if (Array.isArray(value)) {
      if (value.length === 2 && value[0] instanceof Blob && typeof value[1] === 'string') {
        form.append(key, value[0], value[1])
      } else for (const item of value) form.append(key, item instanceof Blob ? item : String(item))
    } else if (value instanceof Blob) form.append(key, value)
    else if (value != null) form.append(key, String(value))
  }
  form.append(o.filename, o.file, o.file.name)
  return form
}

/**
 * The built-in upload of `action` (el-upload's default http-request): one multipart/form-data XHR
 * per file with `method`, `headers`, `with-credentials` and `data`. Returns the XHR so abort() works.
 */
export const ajaxUpload: UploadRequestHandler = (o) => {
  const xhr = new XMLHttpRequest()
  xhr.upload?.addEventListener('progress', (e) => {
    o.onProgress({ percent: e.total > 0 ? (e.loaded / e.total) * 100 : 0, loaded: e.loaded, total: e.total })
  })
  xhr.addEventListener('error', () => o.onError(errorOf(xhr, o)))
  xhr.addEventListener('load', () => {
    if (xhr.status < 200 || xhr.status >= 300) o.onError(errorOf(xhr, o))
    else o.onSuccess(bodyOf(xhr))
  })
  xhr.open(o.method, o.action, true)
  if (o.withCredentials) xhr.withCredentials = true
  for (const [k, v] of Object.entries(headersRecord(o.headers)))
    if (v != null) xhr.setRequestHeader(k, String(v))
  xhr.send(toFormData(o))
  return xhr
}
