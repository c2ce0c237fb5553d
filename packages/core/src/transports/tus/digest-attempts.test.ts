import { describe, expect, it } from 'vitest'
import { createFakeTus, flush } from '../../test-support/fake-tus.js'
import { bytesReader, createTestUploader, file } from '../../test-support/uploader.js'

const endpoint = 'http://tus.test/files'

describe("the file's SHA-256 across attempts", () => {
  it('an attempt redone after a 401 goes on hashing where it stopped and resends the refused chunk as read: no byte is read twice', async () => {
    const fake = createFakeTus()
    let patches = 0
    // The 6th PATCH (bytes 500-600) meets an expired token once.
    fake.intercept = (req) => (req.method === 'PATCH' && ++patches === 6 ? 401 : undefined)
    const reads: Array<[number, number]> = []
    const up = createTestUploader(fake)({
      endpoint,
      chunkSize: 100,
      checksum: 'sha256',
      fileReader: {
        describe: bytesReader.describe,
        async open(input, signal) {
          const source = await bytesReader.open(input, signal)
          return {
            ...source,
            read: (start, end) => {
              reads.push([start, end])
              return source.read(start, end)
            },
          }
        },
      },
      onAuthExpired: async () => {},
    })
    const [id] = up.add(file('a', 1000)) as [string]
    await flush(300)
    expect(up.getFile(id)?.status).toBe('completed')
    const chunks = Array.from({ length: 10 }, (_, i): [number, number] => [i * 100, i * 100 + 100])
    // Before: the new attempt's hash started at 0 and read [0, 500) again, then [500, 600).
    expect(reads).toEqual(chunks)
    // The refused chunk went again, with its checksum.
    const sixth = fake.log.filter((r) => r.method === 'PATCH' && r.headers['Upload-Offset'] === '500')
    expect(sixth).toHaveLength(2)
    expect(sixth.every((r) => r.headers['Upload-Checksum'] === 'sha256 AQID')).toBe(true)
  })
})
