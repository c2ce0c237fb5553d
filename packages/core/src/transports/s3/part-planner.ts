import { MIN_PART_SIZE } from './s3-options.js'

export const MAX_PARTS = 10_000
const MiB = 1024 * 1024

export interface PlannedPart {
  /** 1-based, as S3 numbers them. */
  partNumber: number
  start: number
  end: number
}

/**
 * The part size for a file: the preferred size, raised (to whole MiB) until the file fits in
 * 10 000 parts; never below S3's 5 MiB minimum for non-last parts.
 */
export function choosePartSize(size: number, preferred: number): number {
  let partSize = Math.max(preferred, MIN_PART_SIZE)
  if (Math.ceil(size / partSize) > MAX_PARTS) partSize = Math.ceil(size / MAX_PARTS / MiB) * MiB
  return partSize
}

/** Splits [0, size) into parts of `partSize` (the last one shorter); an empty file is one empty part. */
export function planParts(size: number, partSize: number): PlannedPart[] {
  if (size === 0) return [{ partNumber: 1, start: 0, end: 0 }]
  const parts: PlannedPart[] = []
  for (let start = 0, n = 1; start < size; start += partSize, n++) {
    parts.push({ partNumber: n, start, end: Math.min(size, start + partSize) })
  }
  return parts
}
