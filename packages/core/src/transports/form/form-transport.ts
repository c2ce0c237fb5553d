import { resolveUrl } from '../../platform.js'
import { isSuccess, statusError } from '../http.js'
import type { Transport } from '../transport.js'

/**
 * el-upload's default: one multipart/form-data POST to `endpoint` (field `fieldName`, extra fields
 * from `data`). Not resumable: a pause aborts the request and a resume sends the file again from 0.
 */
export function createFormTransport(): Transport<null> {
  return {
    name: 'form',
    resumable: false,
    parallelChunks: false,
    // Never resumes, so it keeps no checkpoint; and no upload to delete on cancel (no terminate).
    parseState: () => undefined,
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
      if (!isSuccess(res.status)) throw statusError(res, 'POST', o.endpoint)
      ctx.confirmed(ctx.size)
      const location = res.header('location')
      return {
        url: location ? resolveUrl(location, o.endpoint) : o.endpoint,
        response: { status: res.status, body: res.body },
      }
    },
  }
}
