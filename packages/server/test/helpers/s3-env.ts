import { createHash, randomBytes } from 'node:crypto'
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3'
import { createS3Client } from '@shuttle/s3-signing'
import { inject } from 'vitest'

/** The S3 engine the 'integration-s3' project's globalSetup provides (Ceph RGW on 127.0.0.1). */
export interface S3TestEnv {
  endpoint: string
  region: string
  accessKeyId: string
  secretAccessKey: string
  /** A bucket that exists (the one scripts/s3-rgw.sh creates). */
  bucket: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3: S3TestEnv
  }
}

export function s3Env(): S3TestEnv {
  const env = inject('s3')
  if (!env?.endpoint) {
    throw new Error(
      "No S3 engine: run this file in the 'integration-s3' vitest project (its globalSetup starts Ceph RGW)",
    )
  }
  return env
}

export function adminClient(env = s3Env(), endpoint = env.endpoint): S3Client {
  return createS3Client({
    endpoint,
    region: env.region,
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
  })
}

/** A bucket of its own per test file, so sweeps and listings never see another file's uploads. */
export async function createTestBucket(client: S3Client, label: string): Promise<string> {
  const name = `shuttle-${label}-${randomBytes(4).toString('hex')}`
  await client.send(new CreateBucketCommand({ Bucket: name }))
  return name
}

/** Aborts open uploads, deletes objects, deletes the bucket; best effort. */
export async function dropTestBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))
    for (const u of open.Uploads ?? []) {
      await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }))
    }
    const objects = await client.send(new ListObjectsV2Command({ Bucket: bucket }))
    for (const o of objects.Contents ?? [])
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key }))
    await client.send(new DeleteBucketCommand({ Bucket: bucket }))
  } catch {
    // The engine is thrown away at the end of the run anyway.
  }
}

export async function objectSha256(client: S3Client, bucket: string, key: string): Promise<string> {
  const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))
  const hash = createHash('sha256')
  for await (const chunk of out.Body as AsyncIterable<Uint8Array>) hash.update(chunk)
  return hash.digest('hex')
}
