import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3'

export interface SweepOptions {
  client: S3Client
  bucket: string
  /** Abort multipart uploads started more than this many milliseconds ago. */
  olderThanMs: number
  /** Only keys under this prefix. Default: the whole bucket. */
  prefix?: string
  now?: () => number
}

export interface SweepResult {
  aborted: Array<{ key: string; uploadId: string; initiated: Date }>
  kept: number
}

/**
 * Aborts abandoned multipart uploads (ListMultipartUploads, then AbortMultipartUpload for each one
 * initiated before the cutoff), so parts nobody will complete stop costing storage. Run it from a
 * timer or a cron job; pick an age well above your longest paused upload.
 *
 * @example
 * await sweepMultipartUploads({ client, bucket: 'uploads', olderThanMs: 7 * 24 * 3600_000 })
 */
export async function sweepMultipartUploads(o: SweepOptions): Promise<SweepResult> {
  const cutoff = (o.now ?? Date.now)() - o.olderThanMs
  const result: SweepResult = { aborted: [], kept: 0 }
  let keyMarker: string | undefined
  let uploadIdMarker: string | undefined
  for (;;) {
    const page = await o.client.send(
      new ListMultipartUploadsCommand({
        Bucket: o.bucket,
        ...(o.prefix ? { Prefix: o.prefix } : {}),
        ...(keyMarker ? { KeyMarker: keyMarker } : {}),
        ...(uploadIdMarker ? { UploadIdMarker: uploadIdMarker } : {}),
      }),
    )
    for (const u of page.Uploads ?? []) {
      if (!u.Key || !u.UploadId || !u.Initiated) continue
      if (u.Initiated.getTime() >= cutoff) {
        result.kept++
        continue
      }
      try {
        await o.client.send(
          new AbortMultipartUploadCommand({ Bucket: o.bucket, Key: u.Key, UploadId: u.UploadId }),
        )
        result.aborted.push({ key: u.Key, uploadId: u.UploadId, initiated: u.Initiated })
      } catch (err) {
        // Completed or aborted meanwhile: nothing left to sweep.
        if (!isGone(err)) throw err
      }
    }
    if (!page.IsTruncated) return result
    keyMarker = page.NextKeyMarker
    uploadIdMarker = page.NextUploadIdMarker
    if (!keyMarker && !uploadIdMarker) return result
  }
}

/** NoSuchUpload (AWS) or NoSuchKey (Ceph RGW after completion/abort) both mean "gone". */
export function isGone(err: unknown): boolean {
  const name = (err as { name?: string } | null)?.name
  const status = (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode
  return name === 'NoSuchUpload' || name === 'NoSuchKey' || status === 404
}
