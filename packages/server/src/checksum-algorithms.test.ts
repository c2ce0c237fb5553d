import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createTusServer } from './server.js'
import { FileStore } from './stores/file/file-store.js'
import type { DataStore, WriteOptions } from './types.js'

// A store written before sha256-4m existed (it lists no checksumAlgorithms) must never be handed a
// checksum it cannot compute: that was a 500 on every PATCH of a client using what OPTIONS listed.
let close: (() => Promise<void>) | undefined
afterEach(async () => {
  await close?.()
  close = undefined
})

async function serve(checksumAlgorithms: DataStore['checksumAlgorithms']) {
  const dir = await mkdtemp(join(tmpdir(), 'shuttle-checksums-'))
  const seen: (WriteOptions['checksum'] | undefined)[] = []
  const files = new FileStore({ directory: dir })
  // The file store's bytes, with checksums only: a third party's store that lists the algorithms it
  // verifies (or none).
  const store: DataStore = {
    extensions: new Set(['checksum', 'checksum-trailer']),
    ...(checksumAlgorithms ? { checksumAlgorithms } : {}),
    create: (u) => files.create(u),
    getUpload: (id) => files.getUpload(id),
    remove: (id) => files.remove(id),
    write: (id, offset, body, options) => {
      seen.push(options.checksum)
      return files.write(id, offset, body, options)
    },
  }
  const tus = createTusServer({ store })
  const server = http.createServer(tus.handle)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/`
  close = async () => {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
    await tus.close()
    await rm(dir, { recursive: true, force: true })
  }
  const req = (url: string, init: RequestInit = {}) =>
    fetch(new URL(url, endpoint), {
      ...init,
      headers: { 'Tus-Resumable': '1.0.0', ...(init.headers as Record<string, string>) },
    })
  const create = async () => {
    const res = await req(endpoint, { method: 'POST', headers: { 'Upload-Length': '5' } })
    return res.headers.get('location') as string
  }
  const patch = (url: string, headers: Record<string, string>) =>
    req(url, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/offset+octet-stream', 'Upload-Offset': '0', ...headers },
      body: 'hello',
    })
  return { endpoint, req, create, patch, seen }
}

const sha256 = createHash('sha256').update('hello').digest('base64')

describe('Tus-Checksum-Algorithm is what the store verifies', () => {
  it('a store that lists none gets the usual three; sha256-4m is refused with 400 before the store sees it', async () => {
    const s = await serve(undefined)
    const options = await s.req(s.endpoint, { method: 'OPTIONS' })
    expect(options.headers.get('tus-checksum-algorithm')).toBe('sha1,sha256,md5')
    const url = await s.create()
    const refused = await s.patch(url, { 'Upload-Checksum': `sha256-4m ${sha256}` })
    expect(refused.status).toBe(400)
    expect(await refused.text()).toMatch(/use sha1, sha256, md5/)
    // Announced for a trailer: refused the same way, before any byte is read.
    const trailer = await s.patch(url, { Trailer: 'Upload-Checksum', 'Upload-Checksum-Trailer': 'sha256-4m' })
    expect(trailer.status).toBe(400)
    expect(s.seen).toEqual([])
    const kept = await s.patch(url, { 'Upload-Checksum': `sha256 ${sha256}` })
    expect(kept.status).toBe(204)
    expect(s.seen.map((c) => c?.algorithm)).toEqual(['sha256'])
  })

  it('a store that lists only sha256 is offered and sent only that', async () => {
    const s = await serve(['sha256'])
    const options = await s.req(s.endpoint, { method: 'OPTIONS' })
    expect(options.headers.get('tus-checksum-algorithm')).toBe('sha256')
    const url = await s.create()
    const sha1 = createHash('sha1').update('hello').digest('base64')
    const refused = await s.patch(url, { 'Upload-Checksum': `sha1 ${sha1}` })
    expect(refused.status).toBe(400)
    expect(await refused.text()).toMatch(/use sha256 /)
    expect(s.seen).toEqual([])
  })
})
