import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createUploader } from '@shuttle/core'
import * as shuttleServer from '@shuttle/server'
import { FileStore } from '@tus/file-store'
import { Server } from '@tus/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ServerKind, storedSha256 } from './helpers/servers.js'

// One end-to-end check per server: two files, real sockets, bytes on disk compared by sha256.

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void

async function listen(handler: Handler) {
  const server = http.createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { server, origin: `http://127.0.0.1:${port}` }
}

const servers: Array<{ name: string; kind: ServerKind; make: (dir: string) => Handler | undefined }> = [
  {
    name: '@tus/server',
    kind: 'tus-node',
    make: (directory) => {
      const tus = new Server({ path: '/files', datastore: new FileStore({ directory }) })
      return (req, res) => void tus.handle(req, res)
    },
  },
  {
    name: '@shuttle/server',
    kind: 'shuttle',
    make: (directory) => {
      const create = (shuttleServer as Record<string, unknown>).createTusServer as
        | ((o: { directory: string }) => { handle: Handler })
        | undefined
      return create?.({ directory }).handle
    },
  },
]

let dir: string
const files: Array<{ path: string; sha: string; size: number }> = []

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shuttle-smoke-'))
  for (const [name, size] of [
    ['a.bin', 3 * 1024 * 1024 + 17],
    ['b.txt', 100_003],
  ] as const) {
    const bytes = randomBytes(size)
    const path = join(dir, name)
    await writeFile(path, bytes)
    files.push({ path, size, sha: createHash('sha256').update(bytes).digest('hex') })
  }
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe.each(servers)('smoke: two files to $name', ({ name, kind, make }) => {
  it.each([
    ['streamed', Number.POSITIVE_INFINITY, 1],
    ['chunked + checksum', 1024 * 1024, 1],
    ['parallel parts', 1024 * 1024, 3],
  ])('%s', async (mode, chunkSize, parallelUploads) => {
    const store = await mkdtemp(join(dir, 'store-'))
    const handler = make(store)
    if (!handler) {
      expect.soft(name).toBe('@shuttle/server') // only ours may be missing while it is being built
      return
    }
    const seen: Array<{ method: string; checksum?: string; concat?: string }> = []
    const { server, origin } = await listen((req, res) => {
      seen.push({
        method: req.method ?? '',
        checksum: req.headers['upload-checksum'] as string | undefined,
        concat: req.headers['upload-concat'] as string | undefined,
      })
      handler(req, res)
    })
    try {
      const up = createUploader({ endpoint: `${origin}/files`, chunkSize, checksum: true, parallelUploads })
      const drained = new Promise<void>((resolve) => up.on('queue-drained', () => resolve()))
      const ids = up.add(
        files.map((f) => f.path),
        { source: 'smoke' },
      )
      await drained
      for (const [i, id] of ids.entries()) {
        const snap = up.getFile(id)
        expect(snap?.status).toBe('completed')
        expect(snap?.bytesConfirmed).toBe(files[i]?.size)
        const uploadId = new URL(snap?.url ?? '').pathname.split('/').pop() ?? ''
        expect(await storedSha256(kind, store, uploadId)).toBe(files[i]?.sha)
      }
      await up.destroy()
      const patches = seen.filter((r) => r.method === 'PATCH')
      if (name === '@shuttle/server' && mode !== 'streamed') {
        // Ours advertises checksum and concatenation, so both must have been used.
        expect(patches.every((p) => p.checksum?.startsWith('sha256 '))).toBe(true)
        if (parallelUploads > 1) expect(seen.filter((r) => r.concat === 'partial')).toHaveLength(6)
      }
      // Streamed, each file (≤ 4 MiB) is one request: both servers offer creation-with-upload, so the
      // bytes ride in the creation POST and no PATCH is needed.
      if (mode === 'streamed') {
        expect(patches).toHaveLength(0)
        expect(seen.filter((r) => r.method === 'POST')).toHaveLength(2)
      }
    } finally {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }
  })
})
