import type { FileSnapshot } from './engine.js'
import { PHASE_TO_STATUS, type UploadFile } from './types.js'

const byId = new Map<string, number>()
let seed = 1

/**
 * An engine snapshot as a file-list entry, so <ShuttleFileList> can render `useUploader().files`.
 * The uid is stable per engine id (list keys must not change between snapshots).
 *
 * @example
 * <ShuttleFileList :files="files.map(toUploadFile)" @pause="(f) => pause(f.id!)" />
 */
export function toUploadFile(s: FileSnapshot): UploadFile {
  let uid = byId.get(s.id)
  if (uid === undefined) {
    uid = seed++
    byId.set(s.id, uid)
  }
  return {
    uid,
    id: s.id,
    name: s.name,
    size: s.size ?? undefined,
    status: PHASE_TO_STATUS[s.status],
    phase: s.status,
    percentage: s.percent,
    bytesConfirmed: s.bytesConfirmed,
    speed: s.speed,
    eta: s.eta,
    uploadUrl: s.url,
    error: s.error,
    ...(s.waitingFor ? { waitingFor: s.waitingFor } : {}),
    ...(s.alreadyUploaded ? { alreadyUploaded: true } : {}),
    ...(s.hashing ? { hashing: s.hashing } : {}),
  }
}
