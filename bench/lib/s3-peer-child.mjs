// The peer on S3: @tus/server + @tus/s3-store on the bench's RGW, in its own process so its RSS
// is its own. Usage: node s3-peer-child.mjs (S3_ENDPOINT, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET
// in the environment). Prints "listening <port>" once it listens on 127.0.0.1.
import http from 'node:http'
import { S3Store } from '@tus/s3-store'
import { Server } from '@tus/server'

const store = new S3Store({
  partSize: 8 * 1024 * 1024,
  s3ClientConfig: {
    bucket: process.env.S3_BUCKET,
    region: process.env.S3_REGION || 'us-east-1',
    endpoint: process.env.S3_ENDPOINT,
    forcePathStyle: true,
    credentials: { accessKeyId: process.env.S3_ACCESS_KEY, secretAccessKey: process.env.S3_SECRET_KEY },
    // Ceph RGW refuses the SDK's default aws-chunked stream bodies (411), as for Shuttle's client.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  },
})
const tus = new Server({ path: '/files', datastore: store })
const server = http.createServer((req, res) => tus.handle(req, res))
server.requestTimeout = 0
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`))
