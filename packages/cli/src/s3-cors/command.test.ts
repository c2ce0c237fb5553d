import { describe, expect, it } from 'vitest'
import { parseS3CorsArgs } from './command.js'

describe('shuttle s3-cors arguments', () => {
  it('needs a bucket and at least one origin', () => {
    expect(() => parseS3CorsArgs([], {})).toThrow(/--bucket/)
    expect(() => parseS3CorsArgs(['--bucket', 'b'], {})).toThrow(/--origin/)
    expect(() => parseS3CorsArgs(['--bucket', 'b', '--origin', 'http://x/path'], {})).toThrow(/not an origin/)
  })
  it('takes several origins and S3_* defaults', () => {
    const o = parseS3CorsArgs(['--bucket', 'b', '--origin', 'http://a:1', '--origin', '*'], {
      S3_ENDPOINT: 'http://127.0.0.1:7480',
      S3_ACCESS_KEY: 'k',
      S3_SECRET_KEY: 's',
    })
    expect(o).toMatchObject({
      bucket: 'b',
      origins: ['http://a:1', '*'],
      endpoint: 'http://127.0.0.1:7480',
      region: 'us-east-1',
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    })
  })
  it('checks the connection flags as serve does (one parser for both)', () => {
    const base = ['--bucket', 'b', '--origin', '*']
    expect(() => parseS3CorsArgs([...base, '--s3-access-key', 'only'], {})).toThrow(/both/)
    expect(() => parseS3CorsArgs([...base, '--s3-endpoint', 'ftp://x'], {})).toThrow(/http/)
    expect(parseS3CorsArgs(base, { S3_FORCE_PATH_STYLE: 'true' }).forcePathStyle).toBe(true)
  })
})
