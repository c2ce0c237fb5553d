import { isIdentityKey } from '../identity/sha256-4m.js'
import { createAbortController } from '../platform.js'
import type { Checkpoint, KeptFile } from '../ports.js'
import type { FileId } from '../types.js'
import { userHeaders } from './attempt.js'
import type { EngineCore } from './core.js'
import { usableCheckpoint } from './transport-setup.js'

/** One unfinished upload of an earlier session, as restoreSession() brings it back. */
export interface RestoredFile {
  fingerprint: string
  name: string
  size: number
  type: string
  lastModified?: number
  /** Bytes the server holds: its answer to one HEAD (tus), else the offset the last session saved. */
  offset: number
  /** The upload's URL on the server. */
  url?: string
  /**
   * 'ready': its bytes are here (a kept copy, or a handle still allowed); `input` resumes it and,
   * unless `add: false`, it is in the list already (`id`). 'access': a kept handle whose read
   * permission must be asked again: call requestAccess(fingerprint) from a click. 'ghost': no bytes
   * kept; adding the same file again (one pick may hold several) resumes it.
   */
  kind: 'ready' | 'access' | 'ghost'
  input?: unknown
  id?: FileId
  /** User metadata it was added with (Upload-Metadata without filename/filetype). */
  metadata: Record<string, string>
}

/** The user metadata of a checkpoint: what add() was given, without what the engine adds. */
function userMetadata(cp: Checkpoint): Record<string, string> {
  const { filename: _f, filetype: _t, ...rest } = cp.metadata
  return rest
}

/** One HEAD for a tus upload (with the app's headers); the saved hint for anything else. */
async function serverOffset(core: EngineCore, cp: Checkpoint): Promise<number> {
  const hint = cp.offset ?? 0
  // Concatenated uploads (state holds parts) and other transports: the engine asks when it runs.
  if (core.transport.name !== 'tus' || cp.url === undefined || !isEmptyState(cp.state)) return hint
  const url = cp.url
  const { options } = core
  try {
    const res = await options.httpClient.send({
      method: 'HEAD',
      url,
      headers: { ...(await userHeaders(core, 'restore', 'HEAD', url)), 'Tus-Resumable': '1.0.0' },
      signal: createAbortController().signal,
      withCredentials: options.withCredentials,
    })
    // Gone from the server (expired, deleted): the file starts again from byte 0.
    if (res.status === 404 || res.status === 410) return 0
    const offset = Number(res.header('upload-offset'))
    return res.status >= 200 && res.status < 300 && Number.isInteger(offset) && offset >= 0 ? offset : hint
  } catch {
    return hint
  }
}

const isEmptyState = (state: unknown) =>
  state === null ||
  (typeof state === 'object' && state !== null && (state as { parts?: unknown }).parts === undefined)

/**
 * The unfinished uploads of earlier sessions for this endpoint, with what the file keeper kept of
 * each and the server's offset. `add`: files whose bytes are here go into the list at once.
 */
export async function restoreSession(
  core: EngineCore,
  known: ReadonlySet<string>,
  add: (input: unknown, metadata: Record<string, string>) => FileId | undefined,
  options: { add: boolean },
): Promise<RestoredFile[]> {
  const { options: opts, transport } = core
  if (!transport.resumable) return []
  // Checkpoints also kept under an identity key (resume by content) are listed once, by fingerprint.
  const saved = ((await opts.checkpointStore.list?.().catch(() => undefined)) ?? []).filter(
    (s) => !isIdentityKey(s.fingerprint),
  )
  const keeper = opts.fileKeeper
  const kept = new Map<string, KeptFile>()
  for (const k of (await keeper?.list().catch(() => undefined)) ?? []) kept.set(k.fingerprint, k)
  // What the keeper holds for an upload no unfinished checkpoint knows is dead weight (OPFS copies).
  const open = new Set(saved.filter((s) => !s.checkpoint.finished).map((s) => s.fingerprint))
  for (const fp of kept.keys()) {
    if (open.has(fp)) core.keptBefore.add(fp)
    else void keeper?.forget(fp).catch(() => {})
  }

  const mine = saved.filter(({ fingerprint, checkpoint }) => {
    if (checkpoint.finished || known.has(fingerprint)) return false
    return usableCheckpoint(transport, checkpoint, checkpoint.size, opts.endpoint) !== undefined
  })
  const restored = await Promise.all(
    mine.map(async ({ fingerprint, checkpoint }): Promise<RestoredFile> => {
      const k = kept.get(fingerprint)
      const input =
        k && k.how !== 'ghost' ? await keeper?.open(fingerprint).catch(() => undefined) : undefined
      const kind = input !== undefined ? 'ready' : k?.how === 'handle' ? 'access' : 'ghost'
      return {
        fingerprint,
        name: k?.name ?? checkpoint.metadata.filename ?? 'file',
        size: checkpoint.size,
        type: k?.type ?? checkpoint.metadata.filetype ?? '',
        ...(k?.lastModified !== undefined ? { lastModified: k.lastModified } : {}),
        // A file that resumes at once gets its HEAD from the engine: one per upload.
        offset: kind === 'ready' ? (checkpoint.offset ?? 0) : await serverOffset(core, checkpoint),
        ...(checkpoint.url !== undefined ? { url: checkpoint.url } : {}),
        kind,
        ...(input !== undefined ? { input } : {}),
        metadata: userMetadata(checkpoint),
      }
    }),
  )
  for (const r of restored) core.restoring.set(r.fingerprint, r)
  if (options.add) for (const r of restored) if (r.input !== undefined) r.id = add(r.input, r.metadata)
  return restored
}
