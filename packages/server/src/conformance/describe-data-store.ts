import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { type ChecksumAlgorithm, isUploadError } from '@shuttle/protocol'
import { createChecksumHash, storeChecksums } from '../digest/checksum-hash.js'
import { newUploadId } from '../ids.js'
import { MemoryLocker } from '../lockers/memory-locker.js'
import type { ByteSource, DataStore, Lease, Locker, NewUpload, UploadInfo, WriteOptions } from '../types.js'
import type { TestRunner } from './runner.js'

export interface DataStoreSubject {
  store: DataStore
  /** The locker the store runs with (default: `store.defaultLocker()`, else a MemoryLocker). */
  locker?: Locker
  /** Makes an upload's stored state unreadable, as a crash or a bad disk could. Enables the damaged-upload case. */
  damage?(id: string): Promise<void>
  /**
   * Leaves behind what a crash in the middle of a creation leaves (bytes without info, a temp file),
   * already older than any grace period; resolves with a check that it is gone. Enables the leftover case.
   */
  leaveCrashLeftover?(): Promise<() => Promise<boolean>>
  close?(): Promise<void>
}

const newId = newUploadId
const digestOf = (algorithm: ChecksumAlgorithm, bytes: Uint8Array): Uint8Array => {
  const hash = createChecksumHash(algorithm)
  hash.update(bytes)
  return new Uint8Array(hash.digest())
}
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const never = new AbortController().signal
const MiB = 1024 * 1024

function upload(fields: Partial<NewUpload> = {}): NewUpload {
  return {
    id: newId(),
    size: 1024,
    metadata: { filename: 'a.bin', note: 'ünïcode' },
    createdAt: Date.now(),
    expiresAt: undefined,
    concat: undefined,
    ...fields,
  }
}

/** Bytes as a source that yields `chunk`-sized pieces and may pause between them. */
async function* chunks(bytes: Uint8Array, chunk = 16 * 1024, gap?: () => Promise<void>): ByteSource {
  for (let at = 0; at < bytes.length; at += chunk) {
    yield bytes.subarray(at, Math.min(at + chunk, bytes.length))
    await gap?.()
  }
}

async function collect(source: ByteSource): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const part of source) parts.push(part)
  return Buffer.concat(parts)
}

const opts = (more: Partial<WriteOptions> = {}): WriteOptions => ({
  signal: never,
  maxBytes: undefined,
  ...more,
})

function assertCode(code: string, status?: number) {
  return (err: unknown) => {
    assert.ok(isUploadError(err), `expected ${code}, got ${String(err)}`)
    assert.equal(err.code, code, err.message)
    if (status !== undefined) assert.equal((err as { status?: number }).status, status)
    return true
  }
}

/**
 * The behaviour every DataStore shares: create, write at an offset (and refuse a stale one), keep
 * what arrived when a write is cut and resume from there, two writers under the store's locker
 * never mixing bytes, deferred length, concatenation, ranged reads, removal, the expiry listing,
 * damaged state and crash leftovers. Cases for an extension the store does not list are skipped
 * by the suite itself (they pass as not applicable).
 *
 * @example
 * import { describe, it } from 'vitest'
 * describeDataStore('FileStore', async () => ({ store: new FileStore({ directory: await tempDir() }) }), { describe, it })
 */
export function describeDataStore(name: string, make: () => Promise<DataStoreSubject>, t: TestRunner): void {
  const run = (
    title: string,
    fn: (s: DataStoreSubject & { store: DataStore }) => Promise<void>,
    timeout = 60_000,
  ) =>
    t.it(
      title,
      async () => {
        const subject = await make()
        try {
          await fn(subject)
        } finally {
          await subject.close?.()
        }
      },
      timeout,
    )
  const write = (
    store: DataStore,
    id: string,
    offset: number,
    bytes: Uint8Array,
    more?: Partial<WriteOptions>,
  ) => store.write(id, offset, chunks(bytes), opts(more))
  const stored = async (store: DataStore, u: UploadInfo): Promise<Buffer> =>
    store.read ? collect(await store.read(u.id)) : Buffer.alloc(0)

  t.describe(`${name} (DataStore conformance)`, () => {
    run('create keeps every field; getUpload returns it with offset 0', async ({ store }) => {
      const u = upload({ expiresAt: Date.now() + 60_000 })
      const created = await store.create(u)
      const got = await store.getUpload(u.id)
      for (const info of [created, got]) {
        assert.equal(info.id, u.id)
        assert.equal(info.size, 1024)
        assert.equal(info.offset, 0)
        assert.deepEqual({ ...info.metadata }, u.metadata)
        assert.equal(info.createdAt, u.createdAt)
        assert.equal(info.expiresAt, u.expiresAt)
        assert.equal(info.concat, undefined)
      }
    })

    run(
      'keeps the owner and public read of every upload, through writes, list and concatenation',
      async ({ store }) => {
        // Owner scoping rests on this: an upload that lost its owner would be a stranger's to everyone.
        const owned = await store.create(upload({ size: 4, owner: 'user-ä/1', publicRead: true }))
        const plain = await store.create(upload({ size: 4 }))
        await write(store, owned.id, 0, randomBytes(4))
        const got = await store.getUpload(owned.id)
        for (const info of [owned, got]) {
          assert.equal(info.owner, 'user-ä/1')
          assert.equal(info.publicRead, true)
        }
        const none = await store.getUpload(plain.id)
        assert.equal(none.owner, undefined)
        assert.ok(!none.publicRead)
        if (store.list) {
          for await (const info of store.list()) {
            if (info.id === owned.id) assert.equal(info.owner, 'user-ä/1')
          }
        }
        if (store.extensions.has('concatenation') && store.concatenate) {
          const part = await store.create(upload({ size: 3, owner: 'u2', concat: { kind: 'partial' } }))
          await write(store, part.id, 0, randomBytes(3))
          const final = await store.concatenate(
            upload({ size: undefined, owner: 'u2', concat: { kind: 'final', parts: [part.id] } }),
            [part.id],
          )
          assert.equal(final.owner, 'u2')
          assert.equal((await store.getUpload(final.id)).owner, 'u2')
        }
      },
    )

    run('an unknown id is 404 ERR_NOT_FOUND for getUpload and remove', async ({ store }) => {
      await assert.rejects(store.getUpload(newId()), assertCode('ERR_NOT_FOUND', 404))
      await assert.rejects(store.remove(newId()), assertCode('ERR_NOT_FOUND', 404))
    })

    run('writes at successive offsets; the bytes read back are the bytes written', async ({ store }) => {
      const bytes = randomBytes(300_000)
      const u = await store.create(upload({ size: bytes.length }))
      assert.equal(await write(store, u.id, 0, bytes.subarray(0, 100_000)), 100_000)
      assert.equal(await write(store, u.id, 100_000, bytes.subarray(100_000)), bytes.length)
      const now = await store.getUpload(u.id)
      assert.equal(now.offset, bytes.length)
      assert.ok(now.lastWriteAt >= u.createdAt)
      if (store.read) assert.equal(sha256(await stored(store, now)), sha256(bytes))
    })

    run('accepts any async iterable of bytes: a generator and a web ReadableStream', async ({ store }) => {
      const bytes = randomBytes(50_000)
      const u = await store.create(upload({ size: bytes.length }))
      await store.write(u.id, 0, chunks(bytes.subarray(0, 20_000), 3000), opts())
      const rest = bytes.subarray(20_000)
      const web = new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(rest.subarray(0, 10_000))
          c.enqueue(rest.subarray(10_000))
          c.close()
        },
      })
      assert.equal(await store.write(u.id, 20_000, web as unknown as ByteSource, opts()), bytes.length)
      if (store.read) assert.equal(sha256(await stored(store, await store.getUpload(u.id))), sha256(bytes))
    })

    run(
      'a write at an offset that is not the upload’s is refused (409) and stores nothing',
      async ({ store }) => {
        const u = await store.create(upload({ size: 100 }))
        await write(store, u.id, 0, randomBytes(10))
        await assert.rejects(write(store, u.id, 0, randomBytes(10)), assertCode('ERR_OFFSET_MISMATCH', 409))
        await assert.rejects(write(store, u.id, 20, randomBytes(10)), assertCode('ERR_OFFSET_MISMATCH', 409))
        assert.equal((await store.getUpload(u.id)).offset, 10)
      },
    )

    run(
      'a write cut by its signal keeps what arrived; resuming from there completes the upload',
      async ({ store }) => {
        const bytes = randomBytes(2 * 1024 * 1024)
        const u = await store.create(upload({ size: bytes.length }))
        const cut = new AbortController()
        let sent = 0
        const source = chunks(bytes, 64 * 1024, async () => {
          sent += 64 * 1024
          if (sent >= bytes.length / 2) cut.abort()
          await new Promise((r) => setImmediate(r))
        })
        const offset = await store.write(u.id, 0, source, opts({ signal: cut.signal }))
        assert.ok(offset > 0 && offset < bytes.length, `kept ${offset} of ${bytes.length}`)
        assert.equal((await store.getUpload(u.id)).offset, offset)
        assert.equal(await write(store, u.id, offset, bytes.subarray(offset)), bytes.length)
        if (store.read) assert.equal(sha256(await stored(store, await store.getUpload(u.id))), sha256(bytes))
      },
    )

    run('maxBytes: keeps what fits, throws 413 ERR_LENGTH_EXCEEDED', async ({ store }) => {
      const u = await store.create(upload({ size: 100 }))
      await assert.rejects(
        write(store, u.id, 0, randomBytes(150), { maxBytes: 100 }),
        assertCode('ERR_LENGTH_EXCEEDED', 413),
      )
      assert.equal((await store.getUpload(u.id)).offset, 100)
    })

    run('a lost lease stops the write before it stores anything more', async ({ store }) => {
      const u = await store.create(upload({ size: 1000 }))
      const lost = new AbortController()
      lost.abort('taken over')
      const lease: Lease = {
        lost: lost.signal,
        assertHeld() {
          throw Object.assign(new Error('lost'), { code: 'ERR_LEASE_LOST' })
        },
      }
      await assert.rejects(write(store, u.id, 0, randomBytes(1000), { lease }))
      assert.equal((await store.getUpload(u.id)).offset, 0)
    })

    run('checksum: a mismatching chunk is refused with 460 and none of it kept', async ({ store }) => {
      if (!store.extensions.has('checksum')) return
      const u = await store.create(upload({ size: 200 }))
      const good = randomBytes(100)
      const digest = createHash('sha256').update(good).digest()
      await assert.rejects(
        write(store, u.id, 0, randomBytes(100), { checksum: { algorithm: 'sha256', digest } }),
        assertCode('ERR_CHECKSUM_MISMATCH', 460),
      )
      assert.equal((await store.getUpload(u.id)).offset, 0)
      assert.equal(await write(store, u.id, 0, good, { checksum: { algorithm: 'sha256', digest } }), 100)
    })

    run(
      'checksum: every algorithm the store lists (Tus-Checksum-Algorithm) is verified, sha256-4m over more than one 4 MiB block too',
      async ({ store }) => {
        const algorithms = storeChecksums(store)
        for (const algorithm of algorithms) {
          // sha256-4m over more than one block (so over several leaves and two blocks' digests).
          const length = algorithm === 'sha256-4m' ? 4 * MiB + 1000 : 1000
          const u = await store.create(upload({ size: length }))
          const good = randomBytes(length)
          const checksum = { algorithm, digest: digestOf(algorithm, good) }
          const bad = Buffer.from(good)
          bad[length - 1] = (bad[length - 1] as number) ^ 1
          await assert.rejects(
            write(store, u.id, 0, bad, { checksum }),
            assertCode('ERR_CHECKSUM_MISMATCH', 460),
          )
          assert.equal((await store.getUpload(u.id)).offset, 0, algorithm)
          assert.equal(await write(store, u.id, 0, good, { checksum }), length, algorithm)
        }
      },
    )

    run(
      'checksum: a digest the server shares (checksum.shared) is used; the running hash is only fed, never asked for a digest',
      async ({ store }) => {
        if (!store.extensions.has('checksum')) return
        // What the server hands over when the client did not want Repr-Digest: `hash` feeds the
        // identity's block hash only, and `shared` is the request's sha256-4m (or sha256) from it.
        for (const algorithm of ['sha256', 'sha256-4m'] as const) {
          if (!storeChecksums(store).includes(algorithm)) continue
          const good = randomBytes(algorithm === 'sha256-4m' ? 4 * MiB + 1000 : 1000)
          const u = await store.create(upload({ size: good.length }))
          const feed = (trailer: boolean, bytes: Uint8Array) => {
            const running = createChecksumHash(algorithm)
            const hash = {
              update: (d: Uint8Array) => running.update(d),
              copy: () => assert.fail('the store asked the running hash for a copy'),
              digest: () => assert.fail('the store asked the running hash for its digest'),
            }
            const want = digestOf(algorithm, bytes)
            return {
              hash,
              checksum: {
                algorithm,
                digest: trailer ? () => want : want,
                shared: { digest: () => new Uint8Array(running.digest()) },
              },
            }
          }
          const bad = Buffer.from(good)
          bad[0] = (bad[0] as number) ^ 1
          // The digest is the good bytes', the body is not: the shared digest says so (460).
          const refused = feed(false, good)
          await assert.rejects(
            write(store, u.id, 0, bad, { hash: refused.hash, checksum: refused.checksum }),
            assertCode('ERR_CHECKSUM_MISMATCH', 460),
          )
          assert.equal((await store.getUpload(u.id)).offset, 0, algorithm)
          const trailer = store.extensions.has('checksum-trailer')
          const kept = feed(trailer, good)
          assert.equal(await write(store, u.id, 0, good, kept), good.length, algorithm)
        }
      },
    )

    run(
      'checksum: refused or cut-off requests over several MiB store nothing, the offset stays, and correct re-sends of other lengths finish the upload',
      async ({ store }) => {
        if (!store.extensions.has('checksum')) return
        // Bodies of several MiB: a store that uploads parts while a body arrives (S3, 5 MiB parts)
        // has sent some before it can check them. Those parts must never count, and a shorter
        // re-send must not make the refused parts above it count either.
        const bytes = randomBytes(15 * MiB + 1234)
        const size = bytes.length
        const u = await store.create(upload({ size }))
        const header = (b: Uint8Array) => ({
          checksum: { algorithm: 'sha256' as const, digest: createHash('sha256').update(b).digest() },
        })
        const trailer = (b: Uint8Array) => ({
          checksum: { algorithm: 'sha256' as const, digest: () => createHash('sha256').update(b).digest() },
        })
        const flipped = (from: number, to: number) => {
          const copy = Buffer.from(bytes.subarray(from, to))
          const at = copy.length - 1000 // late: after every full part of the body was sent
          copy[at] = (copy[at] as number) ^ 0x10
          return copy
        }
        const offsetNow = async () => (await store.getUpload(u.id)).offset
        assert.equal(
          await write(store, u.id, 0, bytes.subarray(0, 3 * MiB), header(bytes.subarray(0, 3 * MiB))),
          3 * MiB,
        )

        // The rest of the file, one bit flipped: refused (460), nothing of it stored.
        const rest = bytes.subarray(3 * MiB)
        await assert.rejects(
          write(store, u.id, 3 * MiB, flipped(3 * MiB, size), header(rest)),
          assertCode('ERR_CHECKSUM_MISMATCH', 460),
        )
        assert.equal(await offsetNow(), 3 * MiB)
        if (store.extensions.has('checksum-trailer')) {
          await assert.rejects(
            write(store, u.id, 3 * MiB, flipped(3 * MiB, size), trailer(rest)),
            assertCode('ERR_CHECKSUM_MISMATCH', 460),
          )
          assert.equal(await offsetNow(), 3 * MiB)
        }

        // A shorter correct re-send: exactly its bytes count, not the refused ones after them.
        const next = bytes.subarray(3 * MiB, 7 * MiB)
        assert.equal(await write(store, u.id, 3 * MiB, next, header(next)), 7 * MiB)
        assert.equal(await offsetNow(), 7 * MiB)

        // A header-checksummed body cut off cannot be verified: none of it counts.
        const cut = async (digestOf: typeof header | typeof trailer) => {
          const controller = new AbortController()
          let sent = 0
          const source = chunks(bytes.subarray(7 * MiB), 64 * 1024, async () => {
            sent += 64 * 1024
            if (sent >= 6 * MiB) controller.abort()
            await new Promise((r) => setImmediate(r))
          })
          return store.write(u.id, 7 * MiB, source, opts({ signal: controller.signal, ...digestOf(rest) }))
        }
        assert.equal(await cut(header), 7 * MiB)
        assert.equal(await offsetNow(), 7 * MiB)
        let at = 7 * MiB
        if (store.extensions.has('checksum-trailer')) {
          // A trailer body cut off is kept like an unchecked one (the upload stays resumable).
          at = await cut(trailer)
          assert.ok(at > 7 * MiB && at < size, `kept ${at}`)
          assert.equal(await offsetNow(), at)
        }

        // Unchecked bytes after refused ones count as usual; then a checked end finishes the upload.
        assert.equal(await write(store, u.id, at, bytes.subarray(at, at + 2 * MiB)), at + 2 * MiB)
        assert.equal(await offsetNow(), at + 2 * MiB)
        const end = bytes.subarray(at + 2 * MiB)
        assert.equal(await write(store, u.id, at + 2 * MiB, end, header(end)), size)
        const done = await store.getUpload(u.id)
        assert.equal(done.offset, size)
        if (store.read) assert.equal(sha256(await stored(store, done)), sha256(bytes))
      },
    )

    run(
      'checksum-trailer: the body counts only if the digest that comes after it matches',
      async ({ store }) => {
        if (!store.extensions.has('checksum-trailer')) return
        const u = await store.create(upload({ size: 300 }))
        const first = randomBytes(100)
        assert.equal(
          await write(store, u.id, 0, first, {
            checksum: { algorithm: 'sha256', digest: () => createHash('sha256').update(first).digest() },
          }),
          100,
        )
        const next = randomBytes(100)
        await assert.rejects(
          write(store, u.id, 100, next, {
            checksum: { algorithm: 'sha256', digest: () => createHash('sha256').update(first).digest() },
          }),
          assertCode('ERR_CHECKSUM_MISMATCH', 460),
        )
        assert.equal((await store.getUpload(u.id)).offset, 100)
        // A trailer that never came: nothing of the body counts either.
        await assert.rejects(
          write(store, u.id, 100, next, { checksum: { algorithm: 'sha256', digest: () => undefined } }),
          assertCode('ERR_CHECKSUM_MISMATCH', 460),
        )
        assert.equal((await store.getUpload(u.id)).offset, 100)
      },
    )

    run(
      'hash: a running SHA-256 is fed exactly the bytes the store keeps, checksummed or not',
      async ({ store }) => {
        const u = await store.create(upload({ size: 300 }))
        const bytes = randomBytes(300)
        const hash = createHash('sha256')
        await write(store, u.id, 0, bytes.subarray(0, 100), { hash })
        const part = bytes.subarray(100, 200)
        const checksum = store.extensions.has('checksum')
          ? { checksum: { algorithm: 'sha256' as const, digest: createHash('sha256').update(part).digest() } }
          : {}
        await write(store, u.id, 100, part, { hash, ...checksum })
        // Past the length: what fits is kept (and hashed), the rest is not.
        await assert.rejects(
          write(store, u.id, 200, Buffer.concat([bytes.subarray(200), randomBytes(10)]), {
            hash,
            maxBytes: 100,
          }),
        )
        assert.equal((await store.getUpload(u.id)).offset, 300)
        assert.deepEqual(hash.digest(), createHash('sha256').update(bytes).digest())
      },
    )

    run('two writers under the store’s locker never mix bytes (20 rounds)', async (s) => {
      const locker = s.locker ?? s.store.defaultLocker?.() ?? new MemoryLocker()
      const size = 512 * 1024
      for (let round = 0; round < 20; round++) {
        const u = await s.store.create(upload({ size }))
        const [a, b] = [Buffer.alloc(size, 0xaa), Buffer.alloc(size, 0xbb)]
        const writer = async (bytes: Buffer) => {
          const lock = locker.newLock(u.id)
          const release = new AbortController()
          const lease = await lock.lock(AbortSignal.timeout(10_000), () => release.abort())
          try {
            const now = await s.store.getUpload(u.id)
            if (now.offset !== 0) return 'conflict'
            const gap = () => new Promise<void>((r) => setImmediate(r))
            await s.store.write(
              u.id,
              0,
              chunks(bytes, 32 * 1024, gap),
              opts({ signal: release.signal, lease }),
            )
            return 'wrote'
          } finally {
            await lock.unlock()
          }
        }
        const results = await Promise.allSettled([writer(a), writer(b)])
        const final = await s.store.getUpload(u.id)
        assert.ok(
          results.some((r) => r.status === 'fulfilled' && r.value === 'wrote'),
          'nobody wrote',
        )
        if (s.store.read) {
          const got = await stored(s.store, final)
          assert.equal(got.length, final.offset)
          const mixed = got.includes(0xaa) && got.includes(0xbb)
          assert.equal(mixed, false, `round ${round}: bytes of both writers in one upload`)
        }
        await s.store.remove(u.id)
      }
    })

    run('deferred length: declared once, then the upload finishes at it', async ({ store }) => {
      if (!store.extensions.has('creation-defer-length') || !store.declareLength) return
      const bytes = randomBytes(5000)
      const u = await store.create(upload({ size: undefined }))
      assert.equal((await store.getUpload(u.id)).size, undefined)
      await write(store, u.id, 0, bytes.subarray(0, 3000))
      const declared = await store.declareLength(u.id, bytes.length)
      assert.equal(declared.size, bytes.length)
      assert.equal(declared.offset, 3000)
      await write(store, u.id, 3000, bytes.subarray(3000))
      const done = await store.getUpload(u.id)
      assert.deepEqual([done.size, done.offset], [bytes.length, bytes.length])
    })

    run('concatenation: the final upload is its parts in order and outlives them', async ({ store }) => {
      if (!store.extensions.has('concatenation') || !store.concatenate) return
      const parts = [randomBytes(70_000), randomBytes(0), randomBytes(33_333)]
      const ids: string[] = []
      for (const bytes of parts) {
        const p = await store.create(upload({ size: bytes.length, concat: { kind: 'partial' } }))
        if (bytes.length > 0) await write(store, p.id, 0, bytes)
        ids.push(p.id)
      }
      const total = parts.reduce((n, b) => n + b.length, 0)
      const final = await store.concatenate(
        upload({ size: undefined, concat: { kind: 'final', parts: ids } }),
        ids,
      )
      assert.deepEqual([final.size, final.offset], [total, total])
      for (const p of ids) await store.remove(p)
      const again = await store.getUpload(final.id)
      assert.deepEqual(again.concat, { kind: 'final', parts: ids })
      if (store.read) assert.equal(sha256(await stored(store, again)), sha256(Buffer.concat(parts)))
    })

    run('read: ranges are the matching slices; a range past the end is clamped', async ({ store }) => {
      if (!store.read) return
      const bytes = randomBytes(100_000)
      const u = await store.create(upload({ size: bytes.length }))
      await write(store, u.id, 0, bytes)
      for (const [start, end] of [
        [0, 1],
        [1, 99_999],
        [65_536, 100_000],
        [99_999, 100_000],
      ] as const) {
        const got = await collect(await store.read(u.id, { start, end }))
        assert.equal(sha256(got), sha256(bytes.subarray(start, end)), `range ${start}-${end}`)
      }
      assert.equal((await collect(await store.read(u.id, { start: 90_000, end: 200_000 }))).length, 10_000)
    })

    run('remove: the upload is gone, twice is 404', async ({ store }) => {
      const u = await store.create(upload({ size: 10 }))
      await write(store, u.id, 0, randomBytes(5))
      await store.remove(u.id)
      await assert.rejects(store.getUpload(u.id), assertCode('ERR_NOT_FOUND', 404))
      await assert.rejects(store.remove(u.id), assertCode('ERR_NOT_FOUND', 404))
    })

    run('expiration: list() yields every upload with its offset, and not removed ones', async ({ store }) => {
      if (!store.extensions.has('expiration') || !store.list) return
      const a = await store.create(upload({ size: 10, expiresAt: Date.now() + 1000 }))
      const b = await store.create(upload({ size: 10 }))
      await write(store, a.id, 0, randomBytes(4))
      await store.remove(b.id)
      const listed = new Map<string, UploadInfo>()
      for await (const info of store.list()) listed.set(info.id, info)
      assert.equal(listed.get(a.id)?.offset, 4)
      assert.equal(listed.get(a.id)?.expiresAt, a.expiresAt)
      assert.equal(listed.has(b.id), false)
    })

    run('leftovers: what a crash left goes; live uploads stay', async (s) => {
      if (!s.store.removeLeftovers) return
      const live = await s.store.create(upload({ size: 10 }))
      await write(s.store, live.id, 0, randomBytes(3))
      const gone = s.leaveCrashLeftover ? await s.leaveCrashLeftover() : undefined
      await s.store.removeLeftovers(0)
      assert.equal((await s.store.getUpload(live.id)).offset, 3)
      if (gone) assert.equal(await gone(), true, 'the crash leftover is still there')
    })

    run('identity: only recorded, finished uploads are found, by length and owner', async ({ store }) => {
      if (!store.extensions.has('identity')) return
      const bytes = randomBytes(5000)
      const identity = sha256(bytes) // any 64-hex identity will do: the store does not compute it
      const a = await store.create(upload({ size: bytes.length, identity, owner: 'alice' }))
      assert.equal((await store.getUpload(a.id)).identity, identity)
      await write(store, a.id, 0, bytes)
      // Finished but not yet checked against its bytes: not to be offered.
      assert.equal(await store.findFinishedByIdentity!(identity, bytes.length, undefined), undefined)
      const recorded = await store.recordIdentity!(a.id)
      assert.equal(recorded.identityVerified, true)
      assert.equal((await store.getUpload(a.id)).identityVerified, true)
      assert.equal((await store.findFinishedByIdentity!(identity, bytes.length, undefined))?.id, a.id)
      assert.equal((await store.findFinishedByIdentity!(identity, bytes.length, 'alice'))?.id, a.id)
      assert.equal(await store.findFinishedByIdentity!(identity, bytes.length, 'bob'), undefined)
      assert.equal(await store.findFinishedByIdentity!(identity, bytes.length + 1, undefined), undefined)
      assert.equal(
        await store.findFinishedByIdentity!(sha256(randomBytes(8)), bytes.length, undefined),
        undefined,
      )
      await store.remove(a.id)
      assert.equal(await store.findFinishedByIdentity!(identity, bytes.length, undefined), undefined)
    })

    run('identity: a shared upload holds the bytes and outlives its source', async ({ store }) => {
      if (!store.extensions.has('identity') || !store.read) return
      const bytes = randomBytes(70_000)
      const identity = sha256(bytes)
      const source = await store.create(upload({ size: bytes.length, identity }))
      await write(store, source.id, 0, bytes)
      await store.recordIdentity!(source.id)
      const target = await store.create(upload({ size: bytes.length, identity, owner: 'bob' }))
      const shared = await store.shareFrom!(source.id, target.id)
      assert.deepEqual(
        [shared.offset, shared.size, shared.identityVerified],
        [bytes.length, bytes.length, true],
      )
      assert.equal(shared.owner, 'bob')
      await store.remove(source.id)
      const again = await store.getUpload(target.id)
      assert.equal(again.offset, bytes.length)
      assert.equal(sha256(await stored(store, again)), sha256(bytes))
      // The copy is found by identity in its own right now.
      assert.equal((await store.findFinishedByIdentity!(identity, bytes.length, 'bob'))?.id, target.id)
      const gone = await store.create(upload({ size: bytes.length, identity }))
      await assert.rejects(store.shareFrom!(source.id, gone.id), assertCode('ERR_NOT_FOUND', 404))
      assert.equal((await store.getUpload(gone.id)).offset, 0)
    })

    run('identity: removing a shared upload leaves its source whole and found', async ({ store }) => {
      if (!store.extensions.has('identity') || !store.read) return
      const bytes = randomBytes(40_000)
      const identity = sha256(bytes)
      const source = await store.create(upload({ size: bytes.length, identity }))
      await write(store, source.id, 0, bytes)
      await store.recordIdentity!(source.id)
      const targets: UploadInfo[] = []
      for (let i = 0; i < 2; i++) {
        const t = await store.create(upload({ size: bytes.length, identity }))
        targets.push(await store.shareFrom!(source.id, t.id))
      }
      for (const t of targets) await store.remove(t.id)
      const again = await store.getUpload(source.id)
      assert.deepEqual([again.offset, again.identityVerified], [bytes.length, true])
      assert.equal(sha256(await stored(store, again)), sha256(bytes))
      assert.equal((await store.findFinishedByIdentity!(identity, bytes.length, undefined))?.id, source.id)
      // A ranged read (what a proof of possession reads) of the source still answers its bytes.
      const range = await collect(await store.read(source.id, { start: 39_000, end: 40_000 }))
      assert.equal(sha256(range), sha256(bytes.subarray(39_000)))
      await store.remove(source.id)
      await assert.rejects(store.read(source.id, { start: 0, end: 10 }), assertCode('ERR_NOT_FOUND', 404))
    })

    run('damaged state: 410 ERR_DAMAGED, and remove() still removes it', async (s) => {
      if (!s.damage) return
      const u = await s.store.create(upload({ size: 10 }))
      await write(s.store, u.id, 0, randomBytes(3))
      await s.damage(u.id)
      await assert.rejects(s.store.getUpload(u.id), assertCode('ERR_DAMAGED', 410))
      await s.store.remove(u.id)
      await assert.rejects(s.store.getUpload(u.id), assertCode('ERR_NOT_FOUND', 404))
    })
  })
}
