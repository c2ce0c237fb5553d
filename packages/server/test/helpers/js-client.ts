import { createReadStream } from 'node:fs'
import * as tus from 'tus-js-client'

export type JsUploadOptions = Omit<tus.UploadOptions, 'onSuccess' | 'onError'>

/** Uploads a file with the official tus-js-client; resolves with the upload URL. */
export function jsUpload(file: string, options: JsUploadOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const upload: tus.Upload = new tus.Upload(createReadStream(file), {
      retryDelays: [],
      ...options,
      onSuccess: () => resolve(upload.url ?? ''),
      onError: reject,
    })
    upload.start()
  })
}

/** Starts an upload and aborts it (keeping it on the server) once `fraction` of it was sent. */
export function jsUploadThenAbort(
  file: string,
  size: number,
  fraction: number,
  options: JsUploadOptions,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let aborted = false
    const upload: tus.Upload = new tus.Upload(createReadStream(file), {
      retryDelays: [],
      ...options,
      onProgress: (sent) => {
        if (aborted || sent < size * fraction || !upload.url) return
        aborted = true
        upload.abort().then(() => resolve(upload.url ?? ''), reject)
      },
      onSuccess: () => reject(new Error('the upload finished before it could be aborted')),
      onError: reject,
    })
    upload.start()
  })
}
