import { existsSync } from 'node:fs'
import * as fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { newUploadId } from '../../ids.js'
import { FileStore } from './file-store.js'

// On ext4 (auto_da_alloc, the default) a rename that REPLACES a file first writes back every dirty
// page of the renamed inode: renaming the hard link to a just-finished 1 GiB upload over the new
// upload's empty data file took 300–460 ms of the proof PATCH. shareFrom must never rename over a
// file. Every rename the store makes is recorded with whether its destination existed.
const renames: { to: string; replaced: boolean }[] = []
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>()
  return {
    ...real,
    rename: async (from: string, to: string) => {
      renames.push({ to, replaced: existsSync(to) })
      return real.rename(from, to)
    },
  }
})

let root: string
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'shuttle-share-from-'))
  renames.length = 0
})
afterEach(() => fs.rm(root, { recursive: true, force: true }))

const upload = (size: number) => ({
  id: newUploadId(),
  size,
  metadata: {},
  createdAt: Date.now(),
  expiresAt: undefined,
  concat: undefined,
  identity: 'ab'.repeat(32),
})

describe('FileStore.shareFrom', () => {
  it('puts the hard link in place of the empty data file without renaming over it', async () => {
    const store = new FileStore({ directory: root })
    const bytes = Buffer.from('the same bytes, shared')
    const source = await store.create(upload(bytes.length))
    await store.write(source.id, 0, Readable.from([bytes]), {
      signal: new AbortController().signal,
      maxBytes: undefined,
    })
    await store.recordIdentity(source.id)
    const target = await store.create(upload(bytes.length))
    renames.length = 0
    const shared = await store.shareFrom(source.id, target.id)
    const data = path.join(root, target.id)
    expect(renames.find((r) => r.to === data)).toEqual({ to: data, replaced: false })
    expect(shared.offset).toBe(bytes.length)
    // One inode, two names: the bytes were not copied.
    expect((await fs.stat(data)).ino).toBe((await fs.stat(path.join(root, source.id))).ino)
    expect(await fs.readFile(data)).toEqual(bytes)
    expect(existsSync(path.join(root, `${target.id}.chunk`))).toBe(false)
  })
})
