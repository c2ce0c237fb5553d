import { describe, expect, it } from 'vitest'
import { parseServeArgs } from './options.js'

describe('shuttle serve --s3-*', () => {
  it('is off without --s3-bucket', () => {
    expect(parseServeArgs([], { S3_ENDPOINT: 'http://127.0.0.1:7480' }).s3).toBeUndefined()
  })
  it('reads S3_* from the environment; flags win', () => {
    const env = {
      S3_ENDPOINT: 'http://127.0.0.1:7480',
      S3_ACCESS_KEY: 'ak',
      S3_SECRET_KEY: 'sk',
      S3_REGION: 'eu-1',
    }
    expect(parseServeArgs(['--s3-bucket', 'uploads'], env).s3).toEqual({
      bucket: 'uploads',
      endpoint: 'http://127.0.0.1:7480',
      region: 'eu-1',
      credentials: { accessKeyId: 'ak', secretAccessKey: 'sk' },
      forcePathStyle: undefined,
      urlExpiresIn: 300,
      abortAfter: undefined,
    })
    const o = parseServeArgs(
      [
        '--s3-bucket',
        'bk1',
        '--s3-endpoint',
        'http://h:1',
        '--s3-region',
        'r',
        '--s3-force-path-style',
        '--s3-url-expires',
        '2m',
      ],
      env,
    )
    expect(o.s3).toMatchObject({
      bucket: 'bk1',
      endpoint: 'http://h:1',
      region: 'r',
      forcePathStyle: true,
      urlExpiresIn: 120,
    })
  })
  it.each([
    [['--s3-bucket', 'Bad_Name'], /bucket name/],
    [['--s3-bucket', 'ok-name', '--s3-access-key', 'only'], /both/],
    [['--s3-bucket', 'ok-name', '--s3-endpoint', 'ftp://x'], /http/],
    [['--s3-bucket', 'ok-name', '--s3-url-expires', '500ms'], /between/],
  ])('%j is a usage error', (argv, message) => {
    expect(() => parseServeArgs(argv, {})).toThrow(message)
  })
})

describe('shuttle serve --s3-part-size, --s3-parts-in-flight, --expiry-sweep', () => {
  const s3 = ['--store', 's3', '--s3-bucket', 'uploads']
  it('reads them, with units', () => {
    const o = parseServeArgs(
      [...s3, '--s3-part-size', '16MiB', '--s3-parts-in-flight', '4', '--expiry-sweep', '5m'],
      {},
    )
    expect(o.s3PartSize).toBe(16 * 1024 * 1024)
    expect(o.s3PartsInFlight).toBe(4)
    expect(o.expirySweepInterval).toBe(300_000)
    expect(parseServeArgs([], {})).toMatchObject({ s3PartSize: undefined, s3PartsInFlight: undefined })
  })
  it('refuses them where they cannot apply or make no sense, naming the flag', () => {
    expect(() => parseServeArgs(['--s3-part-size', '8MiB'], {})).toThrow(/--s3-part-size needs --store s3/)
    expect(() => parseServeArgs([...s3, '--s3-part-size', '10'], {})).toThrow(/at least 1KiB/)
    expect(() => parseServeArgs([...s3, '--s3-parts-in-flight', '0'], {})).toThrow(/--s3-parts-in-flight/)
    expect(() => parseServeArgs(['--expiry-sweep', '10ms'], {})).toThrow(/at least 100ms/)
  })
})
