import type { TransportContext } from '../transport.js'

/** A part S3 acknowledged: its number, size and ETag (needed to complete the upload). */
export interface S3CheckpointPart {
  partNumber: number
  size: number
  etag: string
}

/** What an S3 checkpoint keeps: the multipart upload, its part size and the parts S3 holds. */
export interface S3CheckpointState {
  key: string
  uploadId: string
  partSize: number
  parts: S3CheckpointPart[]
}

/** An attempt's context as the S3 transport sees it. */
export type S3Context = TransportContext<S3CheckpointState>

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0

function parsePart(v: unknown): S3CheckpointPart | undefined {
  if (typeof v !== 'object' || v === null) return undefined
  const { partNumber, size, etag } = v as Record<string, unknown>
  if (!isPositiveInt(partNumber) || !isPositiveInt(size) || typeof etag !== 'string' || etag === '')
    return undefined
  return { partNumber, size, etag }
}

/** A saved S3 state, or undefined when it cannot be trusted (the file then starts a new multipart upload). */
export function parseS3State(state: unknown): S3CheckpointState | undefined {
  if (typeof state !== 'object' || state === null) return undefined
  const { key, uploadId, partSize, parts } = state as Record<string, unknown>
  if (typeof key !== 'string' || key === '' || typeof uploadId !== 'string' || uploadId === '')
    return undefined
  if (!isPositiveInt(partSize) || !Array.isArray(parts)) return undefined
  const parsed: S3CheckpointPart[] = []
  for (const p of parts) {
    const part = parsePart(p)
    if (!part) return undefined
    parsed.push(part)
  }
  return { key, uploadId, partSize, parts: parsed }
}
