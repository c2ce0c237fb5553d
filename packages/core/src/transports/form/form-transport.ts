import { UploadError } from '@shuttle/protocol'
import { resolveUrl } from '../../platform.js'
import { statusError } from '../http.js'
import type { Transport } from '../transport.js'

/**
 * el-upload's default: one multipart/form-data POST to `endpoint` (field `fieldName`, extra fields
 * from `data`). Not resumable: a pause aborts the request and a resume sends the file again from 0.
 */
export function createFormTransport(): Transport {
  return {
    resumable: false,
    parallelChunks: false,
    async upload(ctx) {
      const o = ctx.options
      const { source } = ctx
      ctx.confirmed(0)
      const res = await ctx.send({
        method: 'POST',
        url: o.endpoint,
        headers: {},
        withCredentials: o.withCredentials,
        body: {
          kind: 'form',
          fieldName: o.fieldName,
          fields: { ...o.data },
          source,
          filename: source.info.name,
          contentType: source.info.type || 'application/octet-stream',
        },
        onUploadProgress: (n) => ctx.sent(Math.min(n, ctx.size)),
      })
      if (res.status < 200 || res.status >= 300) throw statusError(res, 'POST', o.endpoint)
      ctx.confirmed(ctx.size)
      const location = res.header('location')
      return {
        url: location ? resolveUrl(location, o.endpoint) : o.endpoint,
        response: { status: res.status, body: res.body },
      }
    },
    async terminate() {
      throw new UploadError('ERR_EXTENSION_UNSUPPORTED', 'Form uploads cannot be deleted on the server')
    },
  }
}
