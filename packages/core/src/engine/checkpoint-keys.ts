import { decodeBase64, encodeBase64 } from '@shuttle/protocol'
import { identityKey } from '../identity/sha256-4m.js'
import type { Checkpoint } from '../ports.js'
import type { EngineCore } from './core.js'
import type { FileRecord } from './file-record.js'

// A checkpoint lives under the file's fingerprint (name, date, size, endpoint) and, once the
// file's content identity is known, also under an identity key (identity, size, endpoint): the
// same bytes picked again under another name or date find their unfinished upload by content.

/** The identity key of this file's checkpoint, when its identity is known. */
export function identityKeyOf(core: EngineCore, rec: FileRecord): string | undefined {
  const size = rec.source?.info.size ?? rec.info.size
  if (!rec.identity || size === null) return undefined
  return identityKey(rec.identity, size, core.options.endpoint)
}

/** The checkpoint with the file's identity in it (so a resume by fingerprint knows it without hashing). */
export function withIdentity(rec: FileRecord, cp: Checkpoint): Checkpoint {
  return rec.identity ? { ...cp, identity: encodeBase64(rec.identity) } : cp
}

/** The identity a checkpoint carries, if valid. */
export function identityOf(cp: Checkpoint | undefined): Uint8Array | undefined {
  const id = cp?.identity === undefined ? undefined : decodeBase64(cp.identity)
  return id?.length === 32 ? id : undefined
}

/** Writes the checkpoint under the fingerprint and, when known, the identity key. */
export async function storeCheckpoint(core: EngineCore, rec: FileRecord, cp: Checkpoint): Promise<void> {
  const store = core.options.checkpointStore
  const key = identityKeyOf(core, rec)
  const writes: Promise<void>[] = []
  if (rec.fingerprint !== undefined) writes.push(store.set(rec.fingerprint, cp))
  if (key !== undefined) writes.push(store.set(key, cp))
  await Promise.all(writes)
}

/** Deletes the checkpoint under both keys. Never throws: a stale one is checked by its HEAD. */
export async function forgetCheckpoint(core: EngineCore, rec: FileRecord): Promise<void> {
  const store = core.options.checkpointStore
  const keys = [rec.fingerprint, identityKeyOf(core, rec)].filter((k): k is string => k !== undefined)
  await Promise.all(keys.map((k) => store.delete(k).catch(() => {})))
}
