import { isUploadError } from '@shuttle/protocol'
import { createAbortController } from '../platform.js'
import type { Checkpoint } from '../ports.js'
import { userHeaders } from './attempt.js'
import { forgetCheckpoint } from './checkpoint-keys.js'
import type { EngineCore } from './core.js'
import type { FileRecord } from './file-record.js'
import { forgetKept } from './kept.js'
import { usableCheckpoint } from './transport-setup.js'

// The server may still hold the lock of the PATCH we just aborted (423); give it a moment.
const LOCKED_RETRY_DELAYS = [100, 400, 1000]

/**
 * Cancel's server side: the checkpoint goes, then the transport deletes the upload it pointed at
 * (tus DELETE, S3 AbortMultipartUpload). In that order: a page closed between the two leaves an
 * upload that expires on its own, never a checkpoint whose upload is gone (the next visit would
 * restore it and meet a 404).
 * Best effort: a server that refuses or is unreachable leaves an upload that expires on its own.
 */
export async function terminateUpload(core: EngineCore, rec: FileRecord): Promise<void> {
  const { options, transport } = core
  if (!transport.resumable) return
  let checkpoint: Checkpoint | undefined = rec.checkpoint
  if (!checkpoint && rec.fingerprint !== undefined) {
    const stored = await options.checkpointStore.get(rec.fingerprint).catch(() => undefined)
    checkpoint = usableCheckpoint(transport, stored, rec.source?.info.size, options.endpoint)
  }
  delete rec.checkpoint
  await rec.offsetWrite // an offset write still landing would bring the checkpoint back
  await forgetCheckpoint(core, rec)
  void forgetKept(core, rec)
  const controller = createAbortController()
  const terminate = transport.terminate?.bind(transport)
  if (checkpoint && terminate) {
    const cp = checkpoint
    for (let attempt = 0; ; attempt++) {
      try {
        await terminate({
          checkpoint: cp,
          signal: controller.signal,
          send: async (req) =>
            options.httpClient.send({
              ...req,
              headers:
                req.userHeaders === false
                  ? { ...req.headers }
                  : { ...(await userHeaders(core, rec.id, req.method, req.url)), ...req.headers },
              signal: req.signal ?? controller.signal,
              withCredentials: req.withCredentials ?? options.withCredentials,
            }),
        })
        break
      } catch (err) {
        const delay = LOCKED_RETRY_DELAYS[attempt]
        if (delay === undefined || !isUploadError(err) || !err.retryable) break
        await core.sleep(delay, controller.signal)
      }
    }
  }
}
