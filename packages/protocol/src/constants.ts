/** The only tus protocol version Shuttle speaks. */
export const TUS_RESUMABLE = '1.0.0'
export const TUS_VERSION = ['1.0.0'] as const

/** tus 1.0 extensions, as named in the `Tus-Extension` header. */
export type TusExtension =
  | 'creation'
  | 'creation-with-upload'
  | 'creation-defer-length'
  | 'termination'
  | 'checksum'
  | 'checksum-trailer'
  | 'expiration'
  | 'concatenation'
  | 'concatenation-unfinished'
  /** Shuttle's: content identity checked at completion, instant upload with proof of possession. */
  | 'instant-upload'

/**
 * Checksum algorithms Shuttle's server and client both know (lower-case, as on the wire).
 * `sha256-4m` is the content identity's construction applied to one request's body: SHA-256 over
 * the digests of its 4 MiB blocks counted from the body's first byte (the last block shorter), each
 * block's digest taken over its 512 KiB leaves as the identity defines it (identity.ts). A
 * client that hashed the file's identity knows it for every request that starts on a 4 MiB boundary
 * without hashing the bytes again, and a server that hashes the identity as bytes arrive gets it
 * from the same block digests.
 */
export const CHECKSUM_ALGORITHMS = ['sha1', 'sha256', 'md5', 'sha256-4m'] as const
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number]

/** Content-Type that every PATCH body must carry. */
export const PATCH_CONTENT_TYPE = 'application/offset+octet-stream'

/** Status code the checksum extension defines for a mismatch. */
export const STATUS_CHECKSUM_MISMATCH = 460

/** Header names, lower-case as Node delivers them. */
export const H = {
  tusResumable: 'tus-resumable',
  tusVersion: 'tus-version',
  tusExtension: 'tus-extension',
  tusMaxSize: 'tus-max-size',
  tusChecksumAlgorithm: 'tus-checksum-algorithm',
  uploadOffset: 'upload-offset',
  uploadLength: 'upload-length',
  uploadDeferLength: 'upload-defer-length',
  uploadMetadata: 'upload-metadata',
  uploadChecksum: 'upload-checksum',
  uploadConcat: 'upload-concat',
  uploadExpires: 'upload-expires',
  methodOverride: 'x-http-method-override',
  location: 'location',
  contentType: 'content-type',
  contentLength: 'content-length',
} as const

/** Headers a browser must be allowed to send and to read for tus to work over CORS. */
export const CORS_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'Location',
  'Tus-Extension',
  'Tus-Max-Size',
  'Tus-Resumable',
  'Tus-Version',
  'Upload-Concat',
  'Upload-Defer-Length',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Offset',
  'Upload-Checksum',
  // RFC 9530: a verifying client asks for the digest of the stored upload.
  'Want-Repr-Digest',
  // instant-upload: the declared content identity and the proof of possession
  'Upload-Identity',
  'Upload-Proof',
  'X-HTTP-Method-Override',
  'X-Requested-With',
] as const

export const CORS_EXPOSE_HEADERS = [
  'Location',
  // a 429's wait and a 401's Bearer challenge: the client acts on both
  'Retry-After',
  'WWW-Authenticate',
  'Tus-Checksum-Algorithm',
  'Tus-Extension',
  'Tus-Max-Size',
  'Tus-Resumable',
  'Tus-Version',
  'Upload-Concat',
  'Upload-Defer-Length',
  'Upload-Expires',
  'Upload-Length',
  'Upload-Metadata',
  'Upload-Offset',
  // The stored upload's SHA-256 (RFC 9530), and a checksum trailer lost on the way.
  'Repr-Digest',
  'Upload-Checksum-Trailer',
  // instant-upload: the server's challenge and the stored upload's identity
  'Upload-Challenge',
  'Upload-Identity',
  'Upload-Identity-Algorithm',
] as const
