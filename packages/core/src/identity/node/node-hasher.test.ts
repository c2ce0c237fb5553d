import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { identityOfBytes } from '../../../test/helpers/files.js'
import { openPathSource } from '../../node/path-source.js'
import { createBytesSource } from '../../sources/bytes-source.js'
import { formatIdentity, IDENTITY_BLOCK_SIZE } from '../sha256-4m.js'
import { createNodeIdentityHasher } from './node-hasher.js'

const B = IDENTITY_BLOCK_SIZE

const SIZES = [0, 1, 512 * 1024, 512 * 1024 + 1, B - 1, B, B + 1, 2 * B, 4 * B + 12_345]
let dir: string
const files = new Map<number, { path: string; bytes: Buffer }>()

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shuttle-identity-'))
  for (const size of [...SIZES, 12 * B + 7]) {
    const bytes = randomBytes(size)
    const path = join(dir, `f${size}.bin`)
    await writeFile(path, bytes)
    files.set(size, { path, bytes })
  }
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const file = (size: number) => files.get(size) ?? { path: '', bytes: Buffer.alloc(0) }
const signal = () => new AbortController().signal

describe('sha256-4m in Node', () => {
  it('is the SHA-256 of the empty string for 0 bytes', async () => {
    const id = await createNodeIdentityHasher().hash({
      source: createBytesSource(new Uint8Array(), { name: 'e', type: '' }),
      signal: signal(),
    })
    expect(Buffer.from(id).toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    )
  })

  for (const threads of [1, 2]) {
    it.each(SIZES)(
      `equals node:crypto over the same bytes: %i B from disk, threads ${threads}`,
      async (size) => {
        const { path, bytes } = file(size)
        const source = await openPathSource(path, { name: 'f', type: '' })
        const id = await createNodeIdentityHasher({ threads, threadThreshold: 0 }).hash({
          source,
          signal: signal(),
        })
        expect(Buffer.from(id)).toEqual(identityOfBytes(bytes))
      },
    )
  }

  it.each(SIZES)('equals node:crypto for in-memory bytes: %i B', async (size) => {
    const { bytes } = file(size)
    const id = await createNodeIdentityHasher().hash({
      source: createBytesSource(bytes, { name: 'b', type: '' }),
      signal: signal(),
    })
    expect(Buffer.from(id)).toEqual(identityOfBytes(bytes))
  })

  it('writes the wire form of the contract', async () => {
    const id = identityOfBytes(file(B + 1).bytes)
    expect(formatIdentity(id)).toBe(`sha256-4m=:${id.toString('base64')}:`)
  })

  for (const threads of [1, 2]) {
    it(`reports monotonic progress ending at the size (threads ${threads})`, async () => {
      const { path } = file(12 * B + 7)
      const source = await openPathSource(path, { name: 'f', type: '' })
      const seen: number[] = []
      await createNodeIdentityHasher({ threads, threadThreshold: 0 }).hash({
        source,
        signal: signal(),
        onProgress: (n) => seen.push(n),
      })
      expect(seen.length).toBe(13)
      expect(seen).toEqual([...seen].sort((a, b) => a - b))
      expect(seen.at(-1)).toBe(12 * B + 7)
    })

    it(`stops when aborted mid-hash and leaves no worker running (threads ${threads})`, async () => {
      const { path } = file(12 * B + 7)
      const source = await openPathSource(path, { name: 'f', type: '' })
      const hasher = createNodeIdentityHasher({ threads, threadThreshold: 0 })
      const controller = new AbortController()
      let last = 0
      const hashing = hasher.hash({
        source,
        signal: controller.signal,
        onProgress: (n) => {
          last = n
          if (n >= B) controller.abort()
        },
      })
      await expect(hashing).rejects.toMatchObject({ code: 'ERR_ABORTED' })
      expect(last).toBeLessThan(12 * B + 7)
      expect(hasher.workers).toBe(0)
    })
  }

  it('uses worker threads only from threadThreshold on', async () => {
    const hasher = createNodeIdentityHasher({ threads: 2, threadThreshold: 8 * B })
    const threadsSeen = async (size: number) => {
      const source = await openPathSource(file(size).path, { name: 'f', type: '' })
      let most = 0
      await hasher.hash({
        source,
        signal: signal(),
        onProgress: () => {
          most = Math.max(most, hasher.workers)
        },
      })
      return most
    }
    expect(await threadsSeen(4 * B + 12_345)).toBe(0)
    expect(await threadsSeen(12 * B + 7)).toBeGreaterThan(0)
    expect(hasher.workers).toBe(0)
  })
})
