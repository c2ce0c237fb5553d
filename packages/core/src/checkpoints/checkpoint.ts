import type { Checkpoint } from '../ports.js'

// The checkpoint envelope: validated here for every store, whatever wrote it. What is inside
// `state` is the business of the transport that saved it (Transport.parseState).

type Loose = Record<string, unknown>

const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v)

const isStringRecord = (v: unknown): v is Record<string, string> =>
  isObject(v) && Object.values(v).every((x) => typeof x === 'string')

/**
 * Checkpoints written before transports owned their state kept every transport's fields side by
 * side: `parts` (tus concatenation) and `s3` at the top level, and no `transport`. Users have them
 * in localStorage, IndexedDB and checkpoint directories; they still resume.
 */
function fromLegacy(v: Loose): Loose {
  const { parts, s3, ...rest } = v
  if (s3 !== undefined) return { ...rest, transport: 's3', state: s3 }
  return { ...rest, transport: 'tus', state: parts === undefined ? {} : { parts } }
}

/**
 * The checkpoint in `value` (as parsed from storage), in today's shape; undefined for anything
 * malformed, which the engine treats as "no checkpoint". Its `state` is not validated here.
 *
 * @example
 * parseCheckpoint(JSON.parse(localStorage.getItem(key) ?? 'null'))
 */
export function parseCheckpoint(value: unknown): Checkpoint | undefined {
  if (!isObject(value)) return undefined
  const v = value.transport === undefined ? fromLegacy(value) : value
  if (
    typeof v.transport !== 'string' ||
    v.transport === '' ||
    typeof v.size !== 'number' ||
    !Number.isInteger(v.size) ||
    v.size < 0 ||
    typeof v.endpoint !== 'string' ||
    (v.url !== undefined && typeof v.url !== 'string') ||
    !isStringRecord(v.metadata)
  ) {
    return undefined
  }
  const now = Date.now()
  return {
    transport: v.transport,
    ...(v.url === undefined ? {} : { url: v.url as string }),
    size: v.size,
    endpoint: v.endpoint,
    metadata: { ...v.metadata },
    // JSON has no undefined: a transport that keeps no state gets null back.
    state: v.state ?? null,
    ...(typeof v.offset === 'number' && Number.isInteger(v.offset) && v.offset >= 0 && v.offset <= v.size
      ? { offset: v.offset }
      : {}),
    ...(v.finished === true ? { finished: true } : {}),
    ...(typeof v.identity === 'string' && /^[A-Za-z0-9+/]{43}=$/.test(v.identity)
      ? { identity: v.identity }
      : {}),
    createdAt: typeof v.createdAt === 'number' ? v.createdAt : now,
    updatedAt: typeof v.updatedAt === 'number' ? v.updatedAt : now,
  }
}
