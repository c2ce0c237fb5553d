import type { DataStore } from '@shuttle/server'
import type { S3ClientLike } from '@shuttle/server/metrics'
import { s3ClientOptions } from '../s3-connection.js'
import type { ServeS3Options } from './options.js'

/** Keys of tus uploads in the bucket (the signing routes' keys are 32 hex + '/' + a name). */
export const TUS_PREFIX = 'tus/'

/**
 * The S3 store of `--store s3` on the bucket of `--s3-bucket`, after checking that the bucket
 * answers, so a wrong name, endpoint or key stops the server at startup.
 */
export async function connectS3Store(
  s3: ServeS3Options,
  instrument?: (client: S3ClientLike) => void,
): Promise<{ store: DataStore & { check(): Promise<void> }; close(): void }> {
  // Loaded only with --store s3: the AWS SDK costs start-up time and memory.
  const [{ createS3Client }, { S3Store }] = await Promise.all([
    import('@shuttle/s3-signing'),
    import('@shuttle/s3-store'),
  ])
  const client = createS3Client(s3ClientOptions(s3))
  instrument?.(client)
  const store = new S3Store({ client, bucket: s3.bucket, prefix: TUS_PREFIX })
  try {
    await store.check()
  } catch (err) {
    client.destroy()
    throw err
  }
  return { store, close: () => client.destroy() }
}
