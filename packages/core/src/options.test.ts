import { describe, expect, it } from 'vitest'
import { normalizeOptions } from './options.js'
import { createFakeTus } from './test-support/fake-tus.js'
import { testPlatform } from './test-support/uploader.js'
import { createTusTransport } from './transports/tus/tus-transport.js'

const platform = testPlatform(createFakeTus())

describe('normalizeOptions', () => {
  it('fills defaults without mutating the input', () => {
    const input = { endpoint: 'http://e/files', metadata: { a: '1' } }
    const o = normalizeOptions(input, platform)
    expect(o).toMatchObject({
      transport: createTusTransport,
      parallelUploads: 1,
      maxConcurrentUploads: 3,
      retryDelays: [0, 1000, 3000, 5000],
      stallTimeout: 30_000,
      autoStart: true,
      checksum: 'auto',
      fieldName: 'file',
      ownsHttpClient: true,
    })
    expect(o.metadata).not.toBe(input.metadata)
    expect(input).toEqual({ endpoint: 'http://e/files', metadata: { a: '1' } })
    expect(normalizeOptions({ endpoint: 'http://e/x', checksum: true }, platform).checksum).toBe('auto')
  })

  it('creationWithUpload: 4 MiB by default, 0 disables, any non-negative integer is kept', () => {
    expect(normalizeOptions({ endpoint: 'http://e/x' }, platform).creationWithUpload).toBe(4 * 1024 * 1024)
    expect(
      normalizeOptions({ endpoint: 'http://e/x', creationWithUpload: 0 }, platform).creationWithUpload,
    ).toBe(0)
    expect(
      normalizeOptions({ endpoint: 'http://e/x', creationWithUpload: 1 }, platform).creationWithUpload,
    ).toBe(1)
    expect(
      normalizeOptions({ endpoint: 'http://e/x', creationWithUpload: 64 * 1024 * 1024 }, platform)
        .creationWithUpload,
    ).toBe(64 * 1024 * 1024)
  })

  it.each([
    [{}, /endpoint/],
    [{ endpoint: '/files/' }, /absolute URL/],
    [{ endpoint: 'http://e/x', chunkSize: 0 }, /chunkSize/],
    [{ endpoint: 'http://e/x', chunkSize: 1.5 }, /chunkSize/],
    [{ endpoint: 'http://e/x', maxConcurrentUploads: 0 }, /maxConcurrentUploads/],
    [{ endpoint: 'http://e/x', parallelUploads: -1 }, /parallelUploads/],
    [{ endpoint: 'http://e/x', retryDelays: [-1] }, /retryDelays/],
    [{ endpoint: 'http://e/x', stallTimeout: 0 }, /stallTimeout/],
    [{ endpoint: 'http://e/x', protocol: 'ftp' }, /protocol/],
    [{ endpoint: 'http://e/x', transport: { name: 'x' } }, /'transport' must be a function/],
    [{ endpoint: 'http://e/x', protocol: 'tus', transport: () => ({}) }, /either 'protocol'.*or 'transport'/],
    [{ endpoint: 'http://e/x', checksum: 'md5' }, /checksum/],
    [
      { endpoint: 'http://e/x', creationWithUpload: -1 },
      /'creationWithUpload' must be a non-negative integer/,
    ],
    [
      { endpoint: 'http://e/x', creationWithUpload: 1.5 },
      /'creationWithUpload' must be a non-negative integer/,
    ],
    [{ endpoint: 'http://e/x', creationWithUpload: Number.NaN }, /creationWithUpload/],
    [{ endpoint: 'http://e/x', creationWithUpload: Number.POSITIVE_INFINITY }, /creationWithUpload/],
    [{ endpoint: 'http://e/x', creationWithUpload: '1024' }, /creationWithUpload/],
  ])('rejects %j with ERR_INVALID_OPTIONS', (opts, message) => {
    expect(() => normalizeOptions(opts as never, platform)).toThrow(message)
    try {
      normalizeOptions(opts as never, platform)
    } catch (e) {
      expect((e as { code: string }).code).toBe('ERR_INVALID_OPTIONS')
    }
  })
})
