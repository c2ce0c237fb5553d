import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createS3SigningHandler, type S3SigningHandler, type S3SigningOptions } from '@shuttle/s3-signing'
import type { S3TestEnv } from './s3-env.js'

export interface SigningServer {
  /** Base URL (the S3 transport's endpoint); routes are under /s3/multipart. */
  base: string
  handler: S3SigningHandler
  /** Requests the signing server answered, by route kind. */
  readonly requests: Array<{ method: string; path: string; status: number }>
  close(): Promise<void>
}

/**
 * createS3SigningHandler on 127.0.0.1:0. `s3Endpoint` defaults to the engine; pass a recording
 * proxy's endpoint to make presigned URLs (and the server's own S3 calls) go through it.
 */
export async function startSigningServer(
  env: S3TestEnv,
  options: Partial<S3SigningOptions> & { bucket: string; s3Endpoint?: string },
): Promise<SigningServer> {
  const { s3Endpoint, ...rest } = options
  const handler = createS3SigningHandler({
    endpoint: s3Endpoint ?? env.endpoint,
    region: env.region,
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
    ...rest,
  })
  const requests: SigningServer['requests'] = []
  const server = http.createServer((req, res) => {
    res.on('finish', () =>
      requests.push({ method: req.method ?? '', path: req.url ?? '', status: res.statusCode }),
    )
    handler.handle(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    base: `http://127.0.0.1:${port}`,
    handler,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          handler.close()
          resolve()
        })
      }),
  }
}
