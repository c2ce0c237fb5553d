import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3'
import { isNotFound } from './s3-errors.js'

export interface StoredPart {
  partNumber: number
  size: number
  etag: string
  lastModified: number
}

export interface ListedObject {
  key: string
  size: number
  lastModified: number
}

/** The S3 calls the store makes, each one line over the SDK, on one bucket. */
export class Bucket {
  readonly client: S3Client
  readonly name: string

  constructor(client: S3Client, name: string) {
    this.client = client
    this.name = name
  }

  /** Throws unless the bucket exists and these credentials may use it. */
  async head(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.name }), {
      abortSignal: AbortSignal.timeout(10_000),
    })
  }

  /** The object's bytes as text, or undefined when it does not exist. */
  async getText(key: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: key }))
      return (await out.Body?.transformToString('utf8')) ?? ''
    } catch (err) {
      if (isNotFound(err)) return undefined
      throw err
    }
  }

  async getBytes(key: string): Promise<Buffer> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: key }))
    return Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array(0))
  }

  /** Bytes [start, end) of an object, streamed. */
  async getRange(key: string, start: number, end: number): Promise<AsyncIterable<Uint8Array>> {
    const out = await this.client.send(
      new GetObjectCommand({ Bucket: this.name, Key: key, Range: `bytes=${start}-${end - 1}` }),
    )
    return out.Body as unknown as AsyncIterable<Uint8Array>
  }

  async put(key: string, body: Uint8Array | string, signal?: AbortSignal): Promise<void> {
    await this.client.send(
      new PutObjectCommand({ Bucket: this.name, Key: key, Body: body }),
      signal ? { abortSignal: signal } : {},
    )
  }

  /** The object's length, or undefined when it does not exist. */
  async length(key: string): Promise<number | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.name, Key: key }))
      return out.ContentLength ?? 0
    } catch (err) {
      if (isNotFound(err)) return undefined
      throw err
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.name, Key: key }))
  }

  async createMultipart(key: string, contentType: string | undefined): Promise<string> {
    const out = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: this.name, Key: key, ContentType: contentType }),
    )
    if (!out.UploadId) throw new Error('CreateMultipartUpload returned no UploadId')
    return out.UploadId
  }

  async uploadPart(
    key: string,
    uploadId: string,
    partNumber: number,
    body: Uint8Array,
    signal?: AbortSignal,
  ): Promise<void> {
    await this.client.send(
      new UploadPartCommand({
        Bucket: this.name,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        Body: body,
        ContentLength: body.length,
      }),
      signal ? { abortSignal: signal } : {},
    )
  }

  /**
   * The object `sourceKey` of this bucket copied to `key` inside S3 (at most 5 GiB: S3's limit for
   * one CopyObject); no byte passes through this process. The two objects are independent: deleting
   * one later leaves the other whole.
   */
  async copyObject(key: string, sourceKey: string, contentType: string | undefined): Promise<void> {
    await this.client.send(
      new CopyObjectCommand({
        Bucket: this.name,
        Key: key,
        CopySource: copySource(this.name, sourceKey),
        // The new object is its own upload: its type comes from its own metadata, not the source's.
        MetadataDirective: 'REPLACE',
        ContentType: contentType,
      }),
    )
  }

  /** Part `partNumber` becomes bytes [start, end) of the object `sourceKey` of this bucket, copied inside S3. */
  async uploadPartCopy(
    key: string,
    uploadId: string,
    partNumber: number,
    sourceKey: string,
    start: number,
    end: number,
  ): Promise<void> {
    await this.client.send(
      new UploadPartCopyCommand({
        Bucket: this.name,
        Key: key,
        UploadId: uploadId,
        PartNumber: partNumber,
        CopySource: copySource(this.name, sourceKey),
        CopySourceRange: `bytes=${start}-${end - 1}`,
      }),
    )
  }

  /** Every part of a multipart upload (all ListParts pages), by part number. */
  async listParts(key: string, uploadId: string): Promise<StoredPart[]> {
    const parts: StoredPart[] = []
    let marker: string | undefined
    for (;;) {
      const out = await this.client.send(
        new ListPartsCommand({ Bucket: this.name, Key: key, UploadId: uploadId, PartNumberMarker: marker }),
      )
      for (const p of out.Parts ?? []) {
        parts.push({
          partNumber: p.PartNumber ?? 0,
          size: p.Size ?? 0,
          etag: p.ETag ?? '',
          lastModified: p.LastModified?.getTime() ?? 0,
        })
      }
      if (!out.IsTruncated || out.NextPartNumberMarker === undefined) break
      marker = String(out.NextPartNumberMarker)
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber)
  }

  async complete(key: string, uploadId: string, parts: readonly StoredPart[]): Promise<void> {
    // Ceph RGW answers with an empty ETag: nothing here relies on it.
    await this.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.name,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
      }),
    )
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({ Bucket: this.name, Key: key, UploadId: uploadId }),
      )
    } catch (err) {
      if (!isNotFound(err)) throw err
    }
  }

  /** Every object whose key starts with `prefix` (all pages). */
  async *list(prefix: string): AsyncIterable<ListedObject> {
    let token: string | undefined
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.name, Prefix: prefix, ContinuationToken: token }),
      )
      for (const o of out.Contents ?? []) {
        if (o.Key) yield { key: o.Key, size: o.Size ?? 0, lastModified: o.LastModified?.getTime() ?? 0 }
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined
    } while (token)
  }

  /** Every multipart upload in progress under `prefix` (all pages). */
  async *listMultipart(prefix: string): AsyncIterable<{ key: string; uploadId: string; initiated: number }> {
    let keyMarker: string | undefined
    let uploadIdMarker: string | undefined
    for (;;) {
      const out = await this.client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.name,
          Prefix: prefix,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      )
      for (const u of out.Uploads ?? []) {
        if (u.Key && u.UploadId)
          yield { key: u.Key, uploadId: u.UploadId, initiated: u.Initiated?.getTime() ?? 0 }
      }
      if (!out.IsTruncated) break
      keyMarker = out.NextKeyMarker
      uploadIdMarker = out.NextUploadIdMarker
    }
  }
}

function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`
}
