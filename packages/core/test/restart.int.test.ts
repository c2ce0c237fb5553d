import { describe, expect, it } from 'vitest'
import { statusOf, waitForCompletion } from './helpers/engine.js'
import { MiB, waitUntil } from './helpers/files.js'
import { rawRequest, type ServerKind, withOrigin } from './helpers/servers.js'
import { useSourceFile } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// The upload disappears on the server while its file is paused (expired, or deleted by an admin).
// Resume must notice the 404/410, start a new upload, say so, and deliver the bytes intact.
const SIZE = 12 * MiB
const CHUNK = 1 * MiB
const RATE = 6 * MiB

const file = useSourceFile('restart-src', 'vanishing.bin', SIZE)

describe.each(['shuttle', 'tus-node'] as const)('upload gone on resume against %s', (kind: ServerKind) => {
  const stack = useStack(kind, { bytesPerSecond: RATE })

  it('restarts with a new upload when the old one was deleted while paused', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: CHUNK, retryDelays: [0, 100, 200] })
    const restarted: Array<{ id: string; reason: string; oldUrl: string }> = []
    u.on('upload-restarted', (e) => restarted.push({ id: e.id, reason: String(e.reason), oldUrl: e.oldUrl }))
    const [id] = u.add(file.path) as [string]
    await waitUntil(() => (u.getFile(id)?.bytesConfirmed ?? 0) >= 3 * CHUNK, 20_000, 'three confirmed chunks')
    u.pause(id)
    expect(statusOf(u, id)).toBe('paused')
    const oldUrl = u.getFile(id)?.url
    if (!oldUrl) throw new Error('no upload URL')
    await new Promise((r) => setTimeout(r, 200)) // let the server settle the aborted PATCH

    // Behind the engine's back: terminate the upload directly on the server.
    const del = await rawRequest('DELETE', withOrigin(oldUrl, server.origin))
    expect(del.status).toBe(204)
    expect([404, 410]).toContain((await rawRequest('HEAD', withOrigin(oldUrl, server.origin))).status)

    u.resume(id)
    await waitForCompletion(u, [id], 30_000)

    expect(restarted).toHaveLength(1)
    expect(restarted[0]).toMatchObject({ id, oldUrl })
    const newUrl = u.getFile(id)?.url
    if (!newUrl) throw new Error('no upload URL after restart')
    expect(newUrl).not.toBe(oldUrl)
    expect(await server.storedSha256(newUrl)).toBe(file.sha256)
    // Exactly one upload on the server holds the bytes: the new one, complete.
    const stored = await server.storedUploads()
    expect(stored).toEqual([{ id: new URL(newUrl).pathname.split('/').pop(), size: SIZE }])
    // Two creations in all (the original and the restart); the new upload got the whole file once.
    expect(proxy.log.filter((e) => e.method === 'POST')).toHaveLength(2)
    expect(proxy.bytesFor(newUrl)).toBeLessThanOrEqual(SIZE + CHUNK)
  })
})
