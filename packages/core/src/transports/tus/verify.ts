import { decodeBase64, encodeBase64, UploadError } from '@shuttle/protocol'
import type { FileSource, HttpResponse, Sha256 } from '../../ports.js'
import type { TransportContext } from '../transport.js'
import type { ServerCapabilities } from './tus-http.js'

// End-to-end verification against a tus server: per-request Upload-Checksum (tus checksum, or
// checksum-trailer for one streamed request) and, at the end, the file's SHA-256 against the
// server's Repr-Digest (RFC 9530) of the bytes it stored.

export type ChecksumAlgorithm = 'sha1' | 'sha256'

/** The per-request algorithm: what the option asks for, among what the server lists. */
export function pickChecksum(
  option: false | 'auto' | ChecksumAlgorithm,
  caps: ServerCapabilities | undefined,
): ChecksumAlgorithm | undefined {
  if (option === false || !caps?.extensions.has('checksum')) return undefined
  const offered = caps.checksumAlgorithms
  if (option !== 'auto') return offered.has(option) ? option : undefined
  if (offered.has('sha256')) return 'sha256'
  return offered.has('sha1') ? 'sha1' : undefined
}

// Bytes read at a time when the file's hash catches up on bytes it did not see go out.
const CATCH_UP_BYTES = 4 * 1024 * 1024

/**
 * The SHA-256 of the file, grown from the bytes as they are read for sending (never the whole file
 * in memory). It covers [0, at). Bytes the requests did not show it (a resume after a crash, a
 * browser sending Blob slices) are read from the file to catch up; going back (a re-sent request)
 * starts it over, since a hash cannot be rewound.
 */
export class FileDigest {
  #hash: Sha256 | undefined
  #at = 0
  #final: Uint8Array | undefined
  readonly #create: () => Promise<Sha256>
  readonly #source: FileSource

  constructor(create: () => Promise<Sha256>, source: FileSource) {
    this.#create = create
    this.#source = source
  }

  get at(): number {
    return this.#at
  }

  /** Makes the hash cover exactly [0, offset): started over if it went past, caught up if behind. */
  async seek(offset: number, signal?: { readonly aborted: boolean }): Promise<void> {
    if (this.#hash === undefined || this.#final !== undefined || this.#at > offset) {
      this.#hash = await this.#create()
      this.#at = 0
      this.#final = undefined
    }
    while (this.#at < offset) {
      if (signal?.aborted) throw new UploadError('ERR_ABORTED', 'Hashing the file was aborted')
      const hash: Sha256 | undefined = this.#hash
      const from = this.#at
      const end = Math.min(offset, from + CATCH_UP_BYTES)
      const bytes = await this.#source.read(from, end)
      if (signal?.aborted) throw new UploadError('ERR_ABORTED', 'Hashing the file was aborted')
      // The digest outlives attempts: a late one may have moved it meanwhile; look again.
      if (this.#hash !== hash || this.#at !== from || this.#final !== undefined)
        return this.seek(offset, signal)
      this.update(bytes)
    }
  }

  /** The next bytes of the file, in order. */
  update(bytes: Uint8Array): void {
    if (this.#hash === undefined || this.#final !== undefined) throw new Error('FileDigest: seek first')
    this.#hash.update(bytes)
    this.#at += bytes.byteLength
  }

  /** The digest of [0, at); the hash is spent (a later seek starts over). */
  digest(): Uint8Array {
    if (this.#final !== undefined) return this.#final
    if (this.#hash === undefined) throw new Error('FileDigest: seek first')
    this.#final = this.#hash.digest()
    // Let the hasher go: in browsers each is a WebAssembly instance with its own memory, and a page
    // that keeps thousands of finished files (and so their digests) would keep thousands of those,
    // which V8 answers with back-to-back garbage collections (10 000 files stalled after ~120).
    this.#hash = undefined
    return this.#final
  }

  /** The file's SHA-256: catches up to `size` first. */
  async whole(size: number, signal?: { readonly aborted: boolean }): Promise<Uint8Array> {
    if (this.#final !== undefined && this.#at === size) return this.#final
    await this.seek(size, signal)
    return this.digest()
  }
}

/** The sha-256 of a `Repr-Digest` field, undefined when absent or without sha-256. */
export function reprSha256(res: HttpResponse): Uint8Array | undefined {
  const field = res.header('repr-digest')
  if (field === undefined) return undefined
  // sf-dictionary of byte sequences: `sha-256=:<base64>:, sha-512=:…:`
  for (const member of field.split(',')) {
    const m = /^\s*sha-256\s*=\s*:([A-Za-z0-9+/=]*):\s*$/.exec(member)
    if (m) return decodeBase64(m[1] as string) ?? undefined
  }
  return undefined
}

export interface Verified {
  algorithm: 'sha-256'
  /** Base64, as in Repr-Digest. */
  digest: string
}

/**
 * Compares the server's Repr-Digest of what it stored with the file's own SHA-256. A server that
 * sends none is taken as one without the feature (undefined). A mismatch deletes the upload (it must
 * not stay as a finished copy of this file) and fails loudly, not retryable.
 */
export async function verifyStored(
  ctx: TransportContext,
  url: string,
  res: HttpResponse,
  file: FileDigest,
): Promise<Verified | undefined> {
  const stored = reprSha256(res)
  if (stored === undefined) return undefined
  const own = await file.whole(ctx.size, ctx.signal)
  if (equal(stored, own)) return { algorithm: 'sha-256', digest: encodeBase64(stored) }
  try {
    await ctx.send({ method: 'DELETE', url, headers: { 'Tus-Resumable': '1.0.0' } })
  } catch {
    // The failure below is what matters; a left-over upload expires or is deleted by hand.
  }
  throw new UploadError(
    'ERR_DIGEST_MISMATCH',
    `The stored bytes differ from the file: the server holds sha-256 ${encodeBase64(stored)} for ${url}, the file is ${encodeBase64(own)}. The upload was deleted; upload the file again.`,
    { retryable: false },
  )
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
