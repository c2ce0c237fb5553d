import type { TransportContext } from '../transport.js'

/** One partial upload of a concatenated file: bytes [start, end), its URL once created. */
export interface TusCheckpointPart {
  start: number
  end: number
  url?: string
}

/**
 * What a tus checkpoint keeps besides its URL (the envelope's `url`): the partial uploads when the
 * file goes up in parallel parts (concatenation). `{}` for a single upload.
 */
export interface TusCheckpointState {
  parts?: TusCheckpointPart[]
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0

function parsePart(v: unknown): TusCheckpointPart | undefined {
  if (typeof v !== 'object' || v === null) return undefined
  const { start, end, url } = v as Record<string, unknown>
  if (!isCount(start) || !isCount(end) || end <= start) return undefined
  if (url !== undefined && typeof url !== 'string') return undefined
  return url === undefined ? { start, end } : { start, end, url }
}

/**
 * A saved tus state, or undefined when it cannot be trusted. Parts must tile the file from byte 0
 * without gaps or overlaps: a part list that does not would assemble a different file.
 */
export function parseTusState(state: unknown, size: number): TusCheckpointState | undefined {
  if (state === null || state === undefined) return {}
  if (typeof state !== 'object' || Array.isArray(state)) return undefined
  const raw = (state as { parts?: unknown }).parts
  if (raw === undefined) return {}
  if (!Array.isArray(raw) || raw.length === 0) return undefined
  const parts: TusCheckpointPart[] = []
  let next = 0
  for (const item of raw) {
    const part = parsePart(item)
    if (!part || part.start !== next) return undefined
    parts.push(part)
    next = part.end
  }
  return next === size ? { parts } : undefined
}

/** An attempt's context as the tus transport sees it. */
export type TusContext = TransportContext<TusCheckpointState>
