import { ListPartsCommand, type S3Client } from '@aws-sdk/client-s3'
import type { createUploader } from '@shuttle/core'

export type Uploader = ReturnType<typeof createUploader>

/** The S3 upload behind a file, from the URL the transport announced ('upload-created'). */
export interface S3Ref {
  key: string
  uploadId: string
}

/** Records `upload-created` URLs per file id and parses key/uploadId out of them. */
export function recordS3Uploads(up: Uploader): Map<string, S3Ref> {
  const refs = new Map<string, S3Ref>()
  up.on('upload-created', ({ id, url }) => {
    const u = new URL(url)
    const key = u.searchParams.get('key')
    const uploadId = u.searchParams.get('uploadId') ?? decodeURIComponent(u.pathname.split('/').pop() ?? '')
    if (key) refs.set(id, { key, uploadId })
    else refs.set(id, { key: decodeURIComponent(u.pathname.split('/').slice(2).join('/')), uploadId })
  })
  return refs
}

/** Part numbers S3 holds for an upload, or 'missing' when ListParts answers 404. */
export async function listedParts(
  client: S3Client,
  bucket: string,
  ref: S3Ref,
): Promise<number[] | 'missing'> {
  try {
    const out = await client.send(
      new ListPartsCommand({ Bucket: bucket, Key: ref.key, UploadId: ref.uploadId }),
    )
    return (out.Parts ?? []).map((p) => p.PartNumber ?? 0)
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return 'missing'
    throw err
  }
}
