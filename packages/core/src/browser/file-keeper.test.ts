import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { attachFileHandle } from './file-handles.js'
import { createBrowserFileKeeper } from './file-keeper.js'

// Real OPFS and handles are exercised in Chromium (e2e/resume-reload.e2e.test.ts); here the rules:
// what is kept for which file, the size limit, forget, and what comes back without OPFS.

let n = 0
const info = (f: File) => ({ name: f.name, size: f.size, type: f.type, lastModified: f.lastModified })
const file = (name: string, size: number) =>
  new File([new Uint8Array(size).fill(7)], name, { lastModified: 1000 })

/** An in-memory Origin Private File System: one directory level, what the keeper uses of it. */
function memoryOpfs() {
  const files = new Map<string, Blob>()
  const fileHandle = (name: string) => ({
    kind: 'file',
    name,
    getFile: async () => new File([files.get(name) ?? new Blob()], name),
    createWritable: async () => {
      const parts: Blob[] = []
      return {
        write: async (b: Blob) => void parts.push(b),
        close: async () => void files.set(name, new Blob(parts)),
        abort: async () => {},
      }
    },
  })
  const dir = {
    getDirectoryHandle: async () => dir,
    getFileHandle: async (name: string, o?: { create?: boolean }) => {
      if (!files.has(name) && !o?.create) throw new DOMException('not found', 'NotFoundError')
      return fileHandle(name)
    },
    removeEntry: async (name: string) => void files.delete(name),
  }
  return { files, getDirectory: async () => dir }
}

afterEach(() => vi.unstubAllGlobals())

describe('createBrowserFileKeeper', () => {
  it('without OPFS every file is a ghost: its description, no bytes', async () => {
    const keeper = createBrowserFileKeeper({ dbName: `keeper-${++n}` })
    const f = file('a.txt', 10)
    await keeper.keep('fp-a', f, info(f))
    expect(await keeper.list()).toEqual([
      { fingerprint: 'fp-a', name: 'a.txt', size: 10, type: '', lastModified: 1000, how: 'ghost' },
    ])
    expect(await keeper.open('fp-a')).toBeUndefined()
    expect(await keeper.requestAccess('fp-a')).toBeUndefined()
  })

  it('copies files up to the limit into OPFS, gives them back under their name, and deletes the copy on forget', async () => {
    const opfs = memoryOpfs()
    vi.stubGlobal('navigator', { storage: { getDirectory: opfs.getDirectory } })
    const keeper = createBrowserFileKeeper({ dbName: `keeper-${++n}`, smallFileLimit: 100 })
    const small = file('small.txt', 100)
    const big = file('big.txt', 101)
    await keeper.keep('fp-small', small, info(small))
    await keeper.keep('fp-big', big, info(big))
    const how = Object.fromEntries((await keeper.list()).map((k) => [k.name, k.how]))
    expect(how).toEqual({ 'small.txt': 'copy', 'big.txt': 'ghost' })
    expect(opfs.files.size).toBe(1)
    const back = (await keeper.open('fp-small')) as File
    expect([back.name, back.size, back.lastModified]).toEqual(['small.txt', 100, 1000])
    expect(new Uint8Array(await back.arrayBuffer())).toEqual(new Uint8Array(100).fill(7))
    await keeper.forget('fp-small')
    expect(opfs.files.size).toBe(0)
    expect((await keeper.list()).map((k) => k.name)).toEqual(['big.txt'])
  })

  it('keeps a file once; a forget during its copy waits for it and leaves nothing behind', async () => {
    const opfs = memoryOpfs()
    vi.stubGlobal('navigator', { storage: { getDirectory: opfs.getDirectory } })
    const keeper = createBrowserFileKeeper({ dbName: `keeper-${++n}` })
    const f = file('c.txt', 50)
    const keeping = keeper.keep('fp-c', f, info(f))
    await keeper.forget('fp-c')
    await keeping
    expect(opfs.files.size).toBe(0)
    expect(await keeper.list()).toEqual([])
  })

  it('a handle the browser cannot store (not structured-cloneable here) falls back to a ghost', async () => {
    const keeper = createBrowserFileKeeper({ dbName: `keeper-${++n}` })
    const f = attachFileHandle(file('h.txt', 5), {
      kind: 'file',
      name: 'h.txt',
      getFile: async () => f,
    } as never)
    await keeper.keep('fp-h', f, info(f))
    expect((await keeper.list()).map((k) => k.how)).toEqual(['ghost'])
  })

  it('without IndexedDB (some private modes) keep() is a no-op and list() fails: the engine then lists ghosts from checkpoints', async () => {
    vi.stubGlobal('indexedDB', undefined)
    const keeper = createBrowserFileKeeper({ dbName: `keeper-${++n}` })
    const f = file('x.txt', 1)
    await keeper.keep('fp-x', f, info(f))
    await expect(keeper.list()).rejects.toThrow('IndexedDB is not available')
    expect(await keeper.open('fp-x').catch(() => 'failed')).toBe('failed')
  })
})
