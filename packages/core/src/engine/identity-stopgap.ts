// STOPGAP — replaced when helper identity-hash's branch merges. That branch computes the content
// identity in the engine's `preparing` phase (Web Worker pool, Node workers, `identity` option) and
// fills `TransportContext.identity`; at merge this file and its one call in
// transports/tus/tus-transport.ts (`identityFor`) go away. Until then: a minimal main-thread
// sha256-4m, computed only when the server advertises instant-upload.
import { IDENTITY_BLOCK_SIZE, UploadError } from '@shuttle/protocol'
import type { AbortSignalLike } from '../platform.js'
import type { CreateSha256, FileSource } from '../ports.js'

/** sha256-4m of the file (see @shuttle/protocol): one 4 MiB block in memory at a time. */
export async function identityStopgap(
  source: FileSource,
  size: number,
  sha256: CreateSha256,
  signal: AbortSignalLike,
): Promise<Uint8Array> {
  const outer = await sha256()
  for (let at = 0; at < size; at += IDENTITY_BLOCK_SIZE) {
    if (signal.aborted) throw new UploadError('ERR_ABORTED', 'Hashing the file was aborted')
    const block = await sha256()
    block.update(await source.read(at, Math.min(size, at + IDENTITY_BLOCK_SIZE)))
    outer.update(block.digest())
  }
  return outer.digest()
}
