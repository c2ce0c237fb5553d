import { HttpStatusError } from '@shuttle/protocol'
import { AwsV4Signer } from 'aws4fetch'
import type { Clock } from '../../platform.js'
import type { HttpResponse } from '../../ports.js'
import { statusError } from '../http.js'
import type { TransportRequest } from '../transport.js'
import { createCredentialCache } from './credentials.js'
import { type S3MultipartClient, type S3UploadRef, type Send, utf8 } from './s3-client.js'
import type { NormalizedS3Options, S3TemporaryCredentials } from './s3-options.js'
import type { S3CheckpointPart } from './s3-state.js'
import { completeBody, parseListParts, s3ErrorCode, xmlText } from './s3-xml.js'

type DirectOptions = Extract<NormalizedS3Options, { mode: 'direct' }>

// aws4fetch's types name DOM globals (Headers, BodyInit) that shared code cannot see; this is the
// part of it we use, typed structurally.
interface Signer {
  sign(): Promise<{ url: { toString(): string } }>
}
const Sigv4 = AwsV4Signer as unknown as new (init: {
  method: string
  url: string
  headers: Record<string, string>
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
  service: string
  region: string
  signQuery: boolean
}) => Signer

/** Signed URLs live a few minutes; the credentials' own expiry still bounds them. */
const SIGNED_URL_SECONDS = 300

const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/')

/**
 * Client-side SigV4 signing with temporary credentials (query-string signatures, so the bucket's
 * CORS rules need no Authorization header). Requests other than part PUTs that S3 answers 403
 * are signed again with refreshed credentials once.
 */
export function createDirectClient(
  o: DirectOptions,
  clock: Clock,
): S3MultipartClient & { readonly credentialLoads: number } {
  const credentials = createCredentialCache(o.getCredentials, clock)
  const [, scheme, rest] = /^(https?:\/\/)(.*)$/.exec(o.endpoint) ?? ['', 'https://', o.endpoint]
  const objectUrl = (key: string) =>
    o.forcePathStyle
      ? `${o.endpoint}/${encodeURIComponent(o.bucket)}/${encodeKey(key)}`
      : `${scheme}${o.bucket}.${rest}/${encodeKey(key)}`

  async function presign(method: string, url: string, signedHeaders: Record<string, string> = {}) {
    const creds = await credentials.get()
    const signer = new Sigv4({
      method,
      url: `${url}${url.includes('?') ? '&' : '?'}X-Amz-Expires=${SIGNED_URL_SECONDS}`,
      headers: signedHeaders,
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      ...(creds.sessionToken ? { sessionToken: creds.sessionToken } : {}),
      service: 's3',
      region: o.region,
      signQuery: true,
    })
    return { url: (await signer.sign()).url.toString(), creds }
  }

  /** Signs and sends; a 403 (expired token) refreshes the credentials once and signs again. */
  async function request(
    send: Send,
    req: Omit<TransportRequest, 'url'> & { url: string; signedHeaders?: Record<string, string> },
  ): Promise<HttpResponse> {
    const { signedHeaders, ...rest } = req
    for (let attempt = 0; ; attempt++) {
      const signed = await presign(req.method, req.url, signedHeaders)
      try {
        return await send({
          ...rest,
          url: signed.url,
          headers: { ...signedHeaders, ...req.headers },
          userHeaders: false,
          withCredentials: false,
        })
      } catch (err) {
        if (attempt > 0 || !(err instanceof HttpStatusError) || err.status !== 403) throw err
        credentials.invalidate(signed.creds)
      }
    }
  }

  // S3 explains itself in XML; its error code (NoSuchUpload, AccessDenied…) is the message to show.
  const failed = (res: HttpResponse, method: string, url: string) => {
    const code = s3ErrorCode(res.body)
    return statusError(res, method, url, code === undefined ? {} : { serverMessage: code })
  }

  return {
    async create(send, file) {
      const key = o.key?.({ name: file.name, type: file.type, size: null }) ?? defaultKey(file.name)
      const url = `${objectUrl(key)}?uploads`
      const meta: Record<string, string> = {}
      for (const [k, v] of Object.entries(file.metadata)) {
        // Header-safe only: printable ASCII keys and values.
        if (/^[a-z0-9_-]+$/i.test(k) && /^[\x20-\x7e]*$/.test(v)) meta[`x-amz-meta-${k.toLowerCase()}`] = v
      }
      const res = await request(send, {
        method: 'POST',
        url,
        headers: { 'Content-Type': file.type || 'application/octet-stream' },
        signedHeaders: meta,
      })
      const uploadId = res.status === 200 ? xmlText(res.body, 'UploadId') : undefined
      if (!uploadId) throw failed(res, 'POST', url)
      return { key, uploadId }
    },
    async signPart(_send, ref, partNumber) {
      const { url, creds } = await presign(
        'PUT',
        `${objectUrl(ref.key)}?partNumber=${partNumber}&uploadId=${encodeURIComponent(ref.uploadId)}`,
      )
      return { url, headers: {}, signedWith: creds }
    },
    async listParts(send, ref) {
      const parts: S3CheckpointPart[] = []
      let marker = ''
      for (;;) {
        const url = `${objectUrl(ref.key)}?uploadId=${encodeURIComponent(ref.uploadId)}${marker ? `&part-number-marker=${marker}` : ''}`
        const res = await request(send, { method: 'GET', url, headers: {} })
        // RGW answers NoSuchKey for an upload that was completed or aborted; AWS NoSuchUpload.
        if (res.status === 404) return 'missing'
        if (res.status !== 200) throw failed(res, 'GET', url)
        const page = parseListParts(res.body)
        parts.push(...page.parts)
        if (!page.isTruncated || !page.nextMarker) return parts
        marker = page.nextMarker
      }
    },
    async complete(send, ref, parts) {
      const url = `${objectUrl(ref.key)}?uploadId=${encodeURIComponent(ref.uploadId)}`
      const res = await request(send, {
        method: 'POST',
        url,
        headers: { 'Content-Type': 'application/xml' },
        body: { kind: 'bytes', bytes: utf8(completeBody(parts)) },
      })
      // S3 may answer 200 and still report an error in the body.
      if (res.status !== 200 || s3ErrorCode(res.body) !== undefined) throw failed(res, 'POST', url)
      return { location: xmlText(res.body, 'Location') || objectUrl(ref.key) }
    },
    async abort(send, ref) {
      const url = `${objectUrl(ref.key)}?uploadId=${encodeURIComponent(ref.uploadId)}`
      const res = await request(send, { method: 'DELETE', url, headers: {} })
      if (res.status !== 404 && (res.status < 200 || res.status >= 300)) throw failed(res, 'DELETE', url)
    },
    authFailed(signed) {
      if (signed.signedWith) credentials.invalidate(signed.signedWith as S3TemporaryCredentials)
    },
    uploadUrl: (ref: S3UploadRef) => `${objectUrl(ref.key)}?uploadId=${encodeURIComponent(ref.uploadId)}`,
    get credentialLoads() {
      return credentials.loads
    },
  }
}

interface CryptoLike {
  getRandomValues(bytes: Uint8Array): Uint8Array
}

/** `<32 hex>/<name>`: a fresh directory per upload, so two files of the same name never collide. */
function defaultKey(name: string): string {
  const bytes = (globalThis as unknown as { crypto: CryptoLike }).crypto.getRandomValues(new Uint8Array(16))
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
  const clean = (name.split(/[/\\]/).pop() ?? '').replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^\.+/, '')
  return `${hex}/${clean || 'file'}`
}
