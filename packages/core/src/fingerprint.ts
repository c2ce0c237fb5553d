import type { SourceInfo } from './ports.js'

/**
 * The default fingerprint: identity of the file plus the endpoint, so the same file sent to two
 * servers keeps two checkpoints. Node paths: absolute path + size + mtime; browser files: name +
 * type + size + lastModified; in-memory bytes: a content hash.
 */
export function defaultFingerprint(file: SourceInfo, endpoint: string): string {
  const id =
    file.path !== undefined
      ? `path:${file.path}:${file.lastModified ?? ''}`
      : file.contentHash !== undefined
        ? `bytes:${file.contentHash}`
        : `file:${file.name}:${file.type}:${file.lastModified ?? ''}`
  return `shuttle:${id}:${file.size ?? ''}:${endpoint}`
}
