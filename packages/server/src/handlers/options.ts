import { IDENTITY_ALGORITHM, TUS_VERSION, type TusExtension } from '@shuttle/protocol'
import { storeChecksums } from '../digest/checksum-hash.js'
import { instantUploadOffered } from '../identity/instant.js'
import type { Reply } from '../reply.js'
import type { DataStore } from '../types.js'
import type { HandlerContext } from './context.js'

/** The extensions this server offers on top of what the store can do. */
export function extensionsFor(store: DataStore, instantUpload = true): TusExtension[] {
  const out: TusExtension[] = ['creation', 'creation-with-upload']
  if (store.extensions.has('creation-defer-length')) out.push('creation-defer-length')
  if (store.extensions.has('termination')) out.push('termination')
  if (store.extensions.has('checksum')) out.push('checksum')
  if (store.extensions.has('checksum-trailer')) out.push('checksum-trailer')
  if (store.extensions.has('expiration')) out.push('expiration')
  if (store.extensions.has('concatenation')) out.push('concatenation')
  if (instantUpload && store.extensions.has('identity')) out.push('instant-upload')
  return out
}

/** OPTIONS: what the server supports. CORS preflight headers are added by the server. */
export async function handleOptions(ctx: HandlerContext): Promise<Reply> {
  const { store, maxSize } = ctx.options
  const headers: Record<string, string> = {
    'Tus-Version': TUS_VERSION.join(','),
    'Tus-Extension': extensionsFor(store, instantUploadOffered(ctx.options)).join(','),
  }
  if (instantUploadOffered(ctx.options)) headers['Upload-Identity-Algorithm'] = IDENTITY_ALGORITHM
  const checksums = storeChecksums(store)
  if (checksums.length > 0) headers['Tus-Checksum-Algorithm'] = checksums.join(',')
  if (maxSize !== undefined) headers['Tus-Max-Size'] = String(maxSize)
  return { status: 204, headers }
}
