import { describe, expect, it } from 'vitest'
import { normalizeS3Options } from './s3-options.js'

describe('S3 options', () => {
  it('server-side signing by default, on the uploader endpoint', () => {
    expect(normalizeS3Options(undefined, 'http://127.0.0.1:1080/')).toEqual({
      mode: 'server',
      endpoint: 'http://127.0.0.1:1080',
      partSize: 8 * 1024 * 1024,
    })
  })
  it('client-side signing needs bucket and region', () => {
    const getCredentials = async () => ({ accessKeyId: 'a', secretAccessKey: 'b' })
    expect(() => normalizeS3Options({ getCredentials, bucket: '', region: 'r' }, 'http://x')).toThrow(
      /bucket/,
    )
    expect(normalizeS3Options({ getCredentials, bucket: 'b', region: 'r' }, 'http://x')).toMatchObject({
      mode: 'direct',
      forcePathStyle: true,
    })
  })
  it('refuses parts below 5 MiB', () => {
    expect(() => normalizeS3Options({ partSize: 1024 }, 'http://x')).toThrow(/5 MiB/)
  })
})
