import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { open, readFile, rename, rm } from 'node:fs/promises'
import type { NewUpload, UploadConcat } from '../../types.js'

/**
 * The JSON kept next to each data file. The offset is not in it: it is the data file's size.
 * `segments`: a concatenated upload whose bytes are its parts' files, hard-linked in order
 * (`<id>.<k>`, k = 0…), with these lengths; absent for uploads with one data file.
 */
interface InfoJson {
  version: 1
  id: string
  size: number | null
  metadata: Record<string, string>
  createdAt: number
  expiresAt: number | null
  concat: UploadConcat | null
  segments?: number[]
  /** Absent in info files written before owners existed: they load as uploads without an owner. */
  owner?: string
  publicRead?: boolean
  /** The declared content identity (sha256-4m hex) and whether the stored bytes were checked against it. */
  identity?: string
  identityVerified?: boolean
}

/** An upload as its info file records it. */
export interface StoredInfo extends NewUpload {
  readonly segments: readonly number[] | undefined
  readonly identityVerified?: boolean
}

/** Writes the info via a temp file, fsync and rename, so a crash leaves the old or the new file. */
export async function writeInfo(
  path: string,
  upload: NewUpload & { readonly identityVerified?: boolean },
  segments?: readonly number[],
): Promise<void> {
  const json: InfoJson = {
    version: 1,
    id: upload.id,
    size: upload.size ?? null,
    metadata: { ...upload.metadata },
    createdAt: upload.createdAt,
    expiresAt: upload.expiresAt ?? null,
    concat: upload.concat ?? null,
    ...(segments ? { segments: [...segments] } : {}),
    ...(upload.owner !== undefined ? { owner: upload.owner } : {}),
    ...(upload.publicRead ? { publicRead: true } : {}),
    ...(upload.identity !== undefined ? { identity: upload.identity } : {}),
    ...(upload.identityVerified ? { identityVerified: true } : {}),
  }
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`
  try {
    const handle = await open(tmp, 'w')
    try {
      await handle.writeFile(JSON.stringify(json))
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

/** An info file that is there but is not a valid one (not JSON is a SyntaxError instead). */
export class MalformedInfoError extends Error {
  override name = 'MalformedInfoError'
}

/** Reads and validates an info file; throws on a missing (ENOENT) or malformed one. */
export async function readInfo(path: string): Promise<StoredInfo> {
  return parseInfo(await readFile(path, 'utf8'), path)
}

/** readInfo on this thread (see FileStore's metadata reads). */
export function readInfoSync(path: string): StoredInfo {
  return parseInfo(readFileSync(path, 'utf8'), path)
}

function parseInfo(text: string, path: string): StoredInfo {
  const raw: unknown = JSON.parse(text)
  if (!isInfoJson(raw)) throw new MalformedInfoError(`Malformed upload info file ${path}`)
  return {
    id: raw.id,
    size: raw.size ?? undefined,
    metadata: Object.assign(Object.create(null) as Record<string, string>, raw.metadata),
    createdAt: raw.createdAt,
    expiresAt: raw.expiresAt ?? undefined,
    concat: raw.concat ?? undefined,
    segments: raw.segments,
    ...(raw.owner !== undefined ? { owner: raw.owner } : {}),
    ...(raw.publicRead === true ? { publicRead: true } : {}),
    ...(raw.identity !== undefined ? { identity: raw.identity } : {}),
    ...(raw.identityVerified === true ? { identityVerified: true } : {}),
  }
}

function isInfoJson(v: unknown): v is InfoJson {
  if (typeof v !== 'object' || v === null) return false
  const o = v as Record<string, unknown>
  const concat = o.concat as { kind?: unknown; parts?: unknown } | null
  return (
    o.version === 1 &&
    typeof o.id === 'string' &&
    (o.size === null || (typeof o.size === 'number' && Number.isSafeInteger(o.size) && o.size >= 0)) &&
    typeof o.metadata === 'object' &&
    o.metadata !== null &&
    Object.values(o.metadata).every((x) => typeof x === 'string') &&
    typeof o.createdAt === 'number' &&
    (o.owner === undefined || typeof o.owner === 'string') &&
    (o.publicRead === undefined || typeof o.publicRead === 'boolean') &&
    (o.identity === undefined || (typeof o.identity === 'string' && /^[0-9a-f]{64}$/.test(o.identity))) &&
    (o.identityVerified === undefined || typeof o.identityVerified === 'boolean') &&
    (o.expiresAt === null || typeof o.expiresAt === 'number') &&
    (o.segments === undefined ||
      (Array.isArray(o.segments) &&
        o.segments.every((n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n > 0))) &&
    (concat === null ||
      concat?.kind === 'partial' ||
      (concat?.kind === 'final' &&
        Array.isArray(concat.parts) &&
        concat.parts.every((p: unknown) => typeof p === 'string')))
  )
}
