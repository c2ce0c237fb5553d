import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { isUploadError } from '@shuttle/protocol'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { identityOf } from '../../../test/helpers/identity.js'
import { newUploadId } from '../../ids.js'
import type { NewUpload, WriteOptions } from '../../types.js'
import { FileStore } from './file-store.js'

let root: string
let store: FileStore

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'shuttle-filestore-'))
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

const fresh = (over: Partial<NewUpload> = {}): NewUpload => ({
  id: newUploadId(),
  size: 10,
  metadata: { filename: 'a.txt' },
  createdAt: Date.now(),
  expiresAt: undefined,
  concat: undefined,
  ...over,
})
const opts = (over: Partial<WriteOptions> = {}): WriteOptions => ({
  signal: new AbortController().signal,
  maxBytes: undefined,
  ...over,
})
async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}
const code = (e: unknown) => (isUploadError(e) ? e.code : e)

// Every behaviour holds whether bytes are written on the main thread or on the thread pool.
describe.each(['auto', 'thread-pool'] as const)('FileStore (writes: %s)', (writes) => {
  beforeEach(() => {
    store = new FileStore({ directory: path.join(root, 'nested', 'uploads'), writes })
  })

  it('creates the directory, a data file and an info file; offset is the data size', async () => {
    const up = await store.create(fresh())
    expect(up.offset).toBe(0)
    expect((await readdir(store.directory)).sort()).toEqual([up.id, `${up.id}.json`].sort())
    expect(await store.write(up.id, 0, Readable.from([Buffer.from('hello')]), opts())).toBe(5)
    expect((await store.getUpload(up.id)).offset).toBe(5)
    await writeFile(path.join(store.directory, up.id), 'hello wor') // what a crash leaves behind
    expect((await store.getUpload(up.id)).offset).toBe(9)
  })

  it('round-trips info, metadata and deferred length', async () => {
    const up = await store.create(fresh({ size: undefined, metadata: { name: 'é' }, expiresAt: 123 }))
    const got = await store.getUpload(up.id)
    expect(got).toMatchObject({ id: up.id, size: undefined, metadata: { name: 'é' }, expiresAt: 123 })
    expect((await store.declareLength(up.id, 42)).size).toBe(42)
    expect((await store.getUpload(up.id)).size).toBe(42)
  })

  it('loads an info file written before owners existed as an upload without owner; keeps the owner through declareLength', async () => {
    const up = await store.create(fresh({ size: 3 }))
    const infoPath = path.join(store.directory, `${up.id}.json`)
    const { owner: _none, ...old } = JSON.parse(await readFile(infoPath, 'utf8'))
    await writeFile(infoPath, JSON.stringify(old))
    const got = await store.getUpload(up.id)
    expect(got.owner).toBeUndefined()
    expect(got.size).toBe(3)
    const owned = await store.create(fresh({ size: undefined, owner: 'alice' }))
    expect((await store.declareLength(owned.id, 9)).owner).toBe('alice')
    expect((await store.getUpload(owned.id)).owner).toBe('alice')
  })

  it('answers 404 for unknown or malformed ids, without touching the disk outside', async () => {
    expect(code(await store.getUpload(newUploadId()).catch((e) => e))).toBe('ERR_NOT_FOUND')
    expect(code(await store.getUpload('../../etc/passwd').catch((e) => e))).toBe('ERR_NOT_FOUND')
    expect(code(await store.remove(newUploadId()).catch((e) => e))).toBe('ERR_NOT_FOUND')
  })

  it('keeps what fits under maxBytes and throws 413 for the rest', async () => {
    const up = await store.create(fresh({ size: 4 }))
    const err = await store
      .write(up.id, 0, Readable.from([Buffer.from('ab'), Buffer.from('cdef')]), opts({ maxBytes: 4 }))
      .catch((e) => e)
    expect(code(err)).toBe('ERR_LENGTH_EXCEEDED')
    expect(await readFile(path.join(store.directory, up.id), 'utf8')).toBe('abcd')
  })

  it('keeps the bytes received before the body is cut off', async () => {
    const up = await store.create(fresh({ size: 100 }))
    const body = new PassThrough()
    const done = store.write(up.id, 0, body, opts())
    body.write(Buffer.from('0123456'))
    await new Promise((r) => setTimeout(r, 20))
    body.destroy()
    expect(await done).toBe(7)
    expect((await store.getUpload(up.id)).offset).toBe(7)
  })

  it('stops at an abort signal and keeps what arrived', async () => {
    const up = await store.create(fresh({ size: 100 }))
    const body = new PassThrough()
    const ac = new AbortController()
    const done = store.write(up.id, 0, body, opts({ signal: ac.signal }))
    body.write(Buffer.from('abc'))
    await new Promise((r) => setTimeout(r, 20))
    ac.abort()
    expect(await done).toBe(3)
    body.write(Buffer.from('def')) // not read any more
    expect((await stat(path.join(store.directory, up.id))).size).toBe(3)
  })

  it('appends a checksummed chunk only when it verifies', async () => {
    const up = await store.create(fresh({ size: 10 }))
    const digest = (s: string) => createHash('sha1').update(s).digest()
    const bad = await store
      .write(
        up.id,
        0,
        Readable.from([Buffer.from('hello')]),
        opts({ checksum: { algorithm: 'sha1', digest: digest('HELLO') } }),
      )
      .catch((e) => e)
    expect(code(bad)).toBe('ERR_CHECKSUM_MISMATCH')
    expect((await store.getUpload(up.id)).offset).toBe(0)
    const ok = await store.write(
      up.id,
      0,
      Readable.from([Buffer.from('hel'), Buffer.from('lo')]),
      opts({ checksum: { algorithm: 'sha1', digest: digest('hello') } }),
    )
    expect(ok).toBe(5)
    expect(await readFile(path.join(store.directory, up.id), 'utf8')).toBe('hello')
    expect((await readdir(store.directory)).filter((n) => /\.(chunk|pending)$/.test(n))).toEqual([])
  })

  it('writes a checksummed chunk in place but counts it only once verified (sha256-4m too)', async () => {
    // Past the 256 KiB a main-thread write gathers, so the first part reaches the disk mid-request.
    const data = Buffer.alloc(600 * 1024, 7)
    const up = await store.create(fresh({ size: data.length + 5 }))
    const body = new PassThrough()
    const done = store.write(
      up.id,
      0,
      body,
      opts({ checksum: { algorithm: 'sha256-4m', digest: identityOf(data) } }),
    )
    body.write(data.subarray(0, 300 * 1024))
    // The bytes are in the data file already, but not verified: the offset stays at 0.
    const dataPath = path.join(store.directory, up.id)
    while ((await stat(dataPath)).size === 0) await new Promise((r) => setImmediate(r))
    expect((await store.getUpload(up.id)).offset).toBe(0)
    body.end(data.subarray(300 * 1024))
    expect(await done).toBe(data.length)
    expect((await store.getUpload(up.id)).offset).toBe(data.length)
    expect((await readdir(store.directory)).filter((n) => n.endsWith('.pending'))).toEqual([])
    const bad = await store
      .write(
        up.id,
        data.length,
        Readable.from([Buffer.from('world')]),
        opts({ checksum: { algorithm: 'sha256-4m', digest: identityOf(Buffer.from('WORLD')) } }),
      )
      .catch((e) => e)
    expect(code(bad)).toBe('ERR_CHECKSUM_MISMATCH')
    expect((await stat(dataPath)).size).toBe(data.length)
    expect((await store.getUpload(up.id)).offset).toBe(data.length)
  })

  it('after a crash mid-chunk, the unverified bytes never count and the next write drops them', async () => {
    const up = await store.create(fresh({ size: 10 }))
    await store.write(up.id, 0, Readable.from([Buffer.from('abc')]), opts())
    // What a process killed while writing a checksummed chunk at offset 3 leaves behind.
    await writeFile(path.join(store.directory, up.id), 'abcDAMAGED')
    await writeFile(path.join(store.directory, `${up.id}.pending`), '3')
    const restarted = new FileStore({ directory: store.directory })
    expect((await restarted.getUpload(up.id)).offset).toBe(3)
    expect(await text(await restarted.read(up.id))).toBe('abc')
    expect(await restarted.removeLeftovers(0)).toBe(0) // the marker is the upload's, not a leftover
    expect(await restarted.write(up.id, 3, Readable.from([Buffer.from('def')]), opts())).toBe(6)
    expect(await readFile(path.join(store.directory, up.id), 'utf8')).toBe('abcdef')
    expect((await restarted.getUpload(up.id)).offset).toBe(6)
  })

  it('drops a checksummed chunk that was cut off', async () => {
    const up = await store.create(fresh({ size: 10 }))
    const body = new PassThrough()
    const done = store.write(
      up.id,
      0,
      body,
      opts({ checksum: { algorithm: 'md5', digest: new Uint8Array(16) } }),
    )
    body.write(Buffer.from('abc'))
    await new Promise((r) => setTimeout(r, 20))
    body.destroy()
    expect(await done).toBe(0)
    expect((await store.getUpload(up.id)).offset).toBe(0)
  })

  it('concatenates finished parts in order and reads ranges', async () => {
    const parts = []
    for (const s of ['abc', '', 'defg']) {
      const p = await store.create(fresh({ size: s.length, concat: { kind: 'partial' } }))
      await store.write(p.id, 0, Readable.from([Buffer.from(s)]), opts())
      parts.push(p.id)
    }
    const final = await store.concatenate(fresh({ size: undefined, concat: { kind: 'final', parts } }), parts)
    expect(final).toMatchObject({ size: 7, offset: 7 })
    expect(await text(await store.read(final.id))).toBe('abcdefg')
    expect(await text(await store.read(final.id, { start: 2, end: 5 }))).toBe('cde')
    expect(await text(await store.read(final.id, { start: 3, end: 3 }))).toBe('')
  })

  it('concatenates by hard-linking the parts: no byte copied, ranges across every boundary', async () => {
    const pieces = ['abc', '', 'defg', 'h', 'ijklmn']
    const parts: string[] = []
    for (const s of pieces) {
      const p = await store.create(fresh({ size: s.length, concat: { kind: 'partial' } }))
      await store.write(p.id, 0, Readable.from([Buffer.from(s)]), opts())
      parts.push(p.id)
    }
    const final = await store.concatenate(fresh({ size: undefined, concat: { kind: 'final', parts } }), parts)
    const whole = pieces.join('')
    expect(final).toMatchObject({ size: whole.length, offset: whole.length })
    expect(await store.getUpload(final.id)).toMatchObject({ size: whole.length, offset: whole.length })
    expect(await store.getUpload(final.id)).not.toHaveProperty('segments')
    // Every non-empty part's inode now has two names; the final has no single data file.
    for (const [i, id] of parts.entries()) {
      expect((await stat(path.join(store.directory, id))).nlink).toBe(pieces[i] === '' ? 1 : 2)
    }
    const names = await readdir(store.directory)
    expect(names).not.toContain(final.id)
    expect(names.filter((n) => n.startsWith(`${final.id}.`)).sort()).toEqual(
      [`${final.id}.0`, `${final.id}.1`, `${final.id}.2`, `${final.id}.3`, `${final.id}.json`].sort(),
    )
    for (let start = 0; start <= whole.length; start++) {
      for (let end = start; end <= whole.length; end++) {
        expect(await text(await store.read(final.id, { start, end }))).toBe(whole.slice(start, end))
      }
    }
    // Deleting the parts (tus lets the server or the client do that) leaves the final whole.
    for (const id of parts) await store.remove(id)
    expect(await text(await store.read(final.id))).toBe(whole)
    await store.remove(final.id)
    expect(await readdir(store.directory)).toEqual([])
    expect(code(await store.getUpload(final.id).catch((e) => e))).toBe('ERR_NOT_FOUND')
  })

  it('concatenation refuses a part removed meanwhile and leaves nothing behind', async () => {
    const a = await store.create(fresh({ size: 2, concat: { kind: 'partial' } }))
    await store.write(a.id, 0, Readable.from([Buffer.from('ab')]), opts())
    const b = await store.create(fresh({ size: 2, concat: { kind: 'partial' } }))
    await store.write(b.id, 0, Readable.from([Buffer.from('cd')]), opts())
    await rm(path.join(store.directory, b.id))
    const final = fresh({ size: undefined, concat: { kind: 'final', parts: [a.id, b.id] } })
    const err = await store.concatenate(final, [a.id, b.id]).catch((e) => e)
    expect(code(err)).toBe('ERR_CONCAT')
    expect((await readdir(store.directory)).filter((n) => n.startsWith(final.id))).toEqual([])
    expect((await stat(path.join(store.directory, a.id))).nlink).toBe(1)
  })

  it('removeLeftovers deletes only old files no upload owns', async () => {
    const live = await store.create(fresh({ size: 5 }))
    await store.write(live.id, 0, Readable.from([Buffer.from('hello')]), opts())
    const dir = store.directory
    const orphan = newUploadId()
    const files = {
      oldData: orphan, // data file whose info was never written
      oldSegment: `${newUploadId()}.0`, // a linked segment of a final that was never recorded
      oldTmp: `${live.id}.json.0a1b2c3d4e5f.tmp`, // info temp file never renamed
      oldChunk: `${live.id}.chunk`, // a checksummed chunk cut by a crash
      freshData: newUploadId(), // being created right now
      foreign: 'notes.txt', // not ours
    }
    for (const name of Object.values(files)) await writeFile(path.join(dir, name), 'x')
    const old = new Date(Date.now() - 2 * 3600_000)
    for (const name of [files.oldData, files.oldSegment, files.oldTmp, files.oldChunk, files.foreign]) {
      await utimes(path.join(dir, name), old, old)
    }
    await utimes(path.join(dir, live.id), old, old) // an old but owned data file stays
    expect(await store.removeLeftovers(3600_000)).toBe(4)
    expect((await readdir(dir)).sort()).toEqual(
      [live.id, `${live.id}.json`, files.freshData, files.foreign].sort(),
    )
    expect((await store.getUpload(live.id)).offset).toBe(5)
  })

  it('removeLeftovers removes an old upload whose data file is gone (a crash inside shareFrom), not a young one', async () => {
    const old = await store.create(fresh({ size: 5 }))
    const young = await store.create(fresh({ size: 5 }))
    const kept = await store.create(fresh({ size: 5 }))
    const dir = store.directory
    // Killed between removing the empty data file and renaming the staged link in its place.
    for (const u of [old, young]) {
      await rm(path.join(dir, u.id))
      await writeFile(path.join(dir, `${u.id}.chunk`), 'hello')
    }
    const then = new Date(Date.now() - 2 * 3600_000)
    for (const name of [`${old.id}.json`, `${old.id}.chunk`, `${kept.id}.json`, kept.id]) {
      await utimes(path.join(dir, name), then, then)
    }
    expect(code(await store.getUpload(old.id).catch((e) => e))).toBe('ERR_NOT_FOUND')
    expect(await store.removeLeftovers(3600_000)).toBe(2)
    expect((await readdir(dir)).filter((n) => !n.startsWith('.')).sort()).toEqual(
      [`${young.id}.json`, `${young.id}.chunk`, kept.id, `${kept.id}.json`].sort(),
    )
  })

  it('removes data, info and chunk files; lists what remains', async () => {
    const a = await store.create(fresh())
    const b = await store.create(fresh())
    await writeFile(path.join(store.directory, 'not-an-upload.json'), '{}')
    expect((await all(store.list())).map((u) => u.id).sort()).toEqual([a.id, b.id].sort())
    await store.remove(a.id)
    expect(code(await store.getUpload(a.id).catch((e) => e))).toBe('ERR_NOT_FOUND')
    expect((await all(store.list())).map((u) => u.id)).toEqual([b.id])
  })
})
