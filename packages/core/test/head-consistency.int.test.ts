import http from 'node:http'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MiB, sleep } from './helpers/files.js'
import { rawRequest, type ServerKind, startServer, type TestServer } from './helpers/servers.js'

// What the engine's resume relies on: after a client vanishes mid-PATCH, the next HEAD reports the
// offset the server will keep. If HEAD answers while the dead PATCH is still writing, the engine
// resumes from a stale offset, gets 409, and re-sends bytes the server already had.
const LENGTH = 64 * MiB
const ROUNDS = 20

describe.each(['shuttle', 'tus-node'] as const)('HEAD after an aborted PATCH on %s', (kind: ServerKind) => {
  let server: TestServer

  beforeEach(async () => {
    server = await startServer(kind)
  })

  afterEach(async () => {
    await server.close()
  })

  it('reports an offset that does not grow afterwards', async () => {
    const seen: string[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const created = await rawRequest('POST', server.endpoint, { 'Upload-Length': String(LENGTH) })
      expect(created.status).toBe(201)
      const url = new URL(String(created.headers.location), server.origin).href
      const req = http.request(url, {
        method: 'PATCH',
        headers: {
          'Tus-Resumable': '1.0.0',
          'Upload-Offset': '0',
          'Content-Type': 'application/offset+octet-stream',
          'Content-Length': String(LENGTH),
        },
      })
      req.on('error', () => {})
      const piece = Buffer.alloc(MiB, round)
      for (let i = 0; i < 8; i++) req.write(piece)
      await sleep(30)
      req.destroy() // the client vanishes mid-body
      const first = Number((await rawRequest('HEAD', url)).headers['upload-offset'])
      await sleep(300)
      const later = Number((await rawRequest('HEAD', url)).headers['upload-offset'])
      seen.push(`${first}->${later}`)
    }
    expect(
      seen.filter((s) => s.split('->')[0] !== s.split('->')[1]),
      seen.join(' '),
    ).toEqual([])
  })
})
