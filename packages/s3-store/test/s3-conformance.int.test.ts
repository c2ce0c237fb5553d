import { randomBytes } from 'node:crypto'
import {
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3'
import { newUploadId } from '@shuttle/server'
import { describeDataStore } from '@shuttle/server/conformance'
import { afterAll, beforeAll, describe, it } from 'vitest'
import { adminClient, createTestBucket, dropTestBucket } from '../../server/test/helpers/s3-env.js'
import { S3Store } from '../src/index.js'

// The DataStore conformance suite on the run's Ceph RGW: each case gets its own key prefix in this
// file's bucket. 5 MiB parts (RGW's minimum); the suite's uploads stay below one part, so this
// covers tails, single final parts and the bookkeeping; test/s3-parts.int.test.ts covers parts.
const client = adminClient()
let bucket: string
beforeAll(async () => {
  bucket = await createTestBucket(client, 'store')
})
afterAll(() => dropTestBucket(client, bucket))

describeDataStore(
  'S3Store on Ceph RGW',
  async () => {
    const prefix = `c${randomBytes(4).toString('hex')}/`
    const store = new S3Store({ client, bucket, prefix, partSize: 5 * 1024 * 1024 })
    return {
      store,
      damage: async (id) => {
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${id}.info`, Body: '{"version":1,"id":' }),
        )
      },
      leaveCrashLeftover: async () => {
        // Killed between CreateMultipartUpload and the info PUT.
        const key = `${prefix}${newUploadId()}`
        await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))
        return async () => {
          const open = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }))
          return (open.Uploads ?? []).length === 0
        }
      },
    }
  },
  { describe, it },
)
