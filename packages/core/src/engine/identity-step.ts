import { UploadError } from '@shuttle/protocol'
import type { TransportContext } from '../transports/transport.js'
import type { HashingProgress } from '../types.js'
import { identityKeyOf, identityOf } from './checkpoint-keys.js'
import type { EngineCore } from './core.js'
import type { FileRecord } from './file-record.js'
import { usableCheckpoint } from './transport-setup.js'

/**
 * The 'preparing' step after the checkpoint lookup: the file's content identity, when `identity`
 * asks for it, hashed once per file (a retry or a resume by fingerprint reuses it), then the
 * checkpoint of an unfinished upload of the same bytes looked up by it. Returns that checkpoint's
 * URL when one was found. `ctx` is the attempt's context before its checkpoint is set.
 */
export async function prepareIdentity(
  core: EngineCore,
  rec: FileRecord,
  ctx: TransportContext,
  live: () => boolean,
): Promise<string | undefined> {
  const { options, transport } = core
  const source = rec.source
  if (options.identity === false || !source) return undefined
  rec.identity ??= identityOf(rec.checkpoint)
  // Resuming a known upload: the identity only matters to a creation, so no file read is spent.
  if (rec.identity || rec.checkpoint) return undefined
  if (options.identity === 'auto' && !(await transport.wantsIdentity?.(ctx))) return undefined
  if (!live()) throw new UploadError('ERR_ABORTED', 'Stopped')
  const total = source.info.size
  let current: HashingProgress = { bytes: 0, total }
  const show = (p: HashingProgress, force = false) => {
    current = p
    rec.hashing = p
    core.progress(rec, force)
  }
  show(current, true)
  let blocks: readonly Uint8Array[] | undefined
  try {
    rec.identity = await options.identityHasher.hash({
      source,
      signal: ctx.signal,
      onBlocks: (digests) => {
        blocks = digests
      },
      onProgress: (bytes) => {
        // Throttled like upload progress; the last block's is always reported.
        if (live() && rec.hashing === current && bytes > current.bytes)
          show({ bytes, total }, bytes === total)
      },
    })
  } finally {
    if (rec.hashing === current) {
      delete rec.hashing
      delete rec.snapshot
    }
  }
  if (blocks) rec.identityBlocks = blocks
  if (!live()) throw new UploadError('ERR_ABORTED', 'Stopped')
  core.progress(rec, true)
  if (!transport.resumable) return undefined
  return findByIdentity(core, rec)
}

/** An unfinished (or, with rememberFinished, finished) upload of the same bytes: resume by content. */
async function findByIdentity(core: EngineCore, rec: FileRecord): Promise<string | undefined> {
  const { options, transport } = core
  const key = identityKeyOf(core, rec)
  if (key === undefined) return undefined
  let saved: unknown
  try {
    saved = await options.checkpointStore.get(key)
  } catch {
    return undefined // an unreadable store means a fresh upload, not a failed one
  }
  const usable = usableCheckpoint(transport, saved, rec.source?.info.size, options.endpoint)
  if (!usable || usable.url === undefined) return undefined
  rec.checkpoint = usable
  // This name and date now lead to it too: a reload of this very file finds it by fingerprint.
  if (rec.fingerprint !== undefined)
    await options.checkpointStore.set(rec.fingerprint, usable).catch(() => {})
  return usable.url
}
