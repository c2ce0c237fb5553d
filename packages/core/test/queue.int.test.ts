import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createFileCheckpointStore } from '@shuttle/core'
import { describe, expect, it } from 'vitest'
import { firstEntries, recordTransitions, statusOf, waitForCompletion } from './helpers/engine.js'
import { MiB, waitUntil } from './helpers/files.js'
import { rawRequest, type ServerKind, withOrigin } from './helpers/servers.js'
import { useSourceFiles } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// cancel, remove and move/priority against both servers, through a proxy limiting each request
// to 4 MiB/s so files are still uploading when the test acts on them.
const CHUNK = 1 * MiB
const RATE = 4 * MiB

const big = useSourceFiles('queue-src', [8 * MiB, 8 * MiB], 'big')
const small = useSourceFiles('queue-src', [MiB, MiB, MiB, MiB], 'small')

/** Every file under `dir`, read as text, joined: to look for a URL without knowing the store's layout. */
async function checkpointText(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true })
  const texts = await Promise.all(
    names.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'utf8')),
  )
  return texts.join('\n')
}

describe.each(['shuttle', 'tus-node'] as const)('queue operations against %s', (kind: ServerKind) => {
  const stack = useStack(kind, { bytesPerSecond: RATE, checkpoints: 'checkpoints' })

  it('cancel deletes the upload on the server and its checkpoint', async () => {
    const { server, proxy, checkpointDir } = stack
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      checkpointStore: createFileCheckpointStore(checkpointDir),
    })
    const canceled: string[] = []
    u.on('canceled', ({ id }) => canceled.push(id))
    const [id] = u.add(big[0]!.path) as [string]
    await waitUntil(() => (u.getFile(id)?.bytesConfirmed ?? 0) >= 2 * CHUNK, 20_000, 'two confirmed chunks')
    const url = u.getFile(id)?.url
    if (!url) throw new Error('no upload URL')
    expect(await checkpointText(checkpointDir)).toContain(new URL(url).pathname)
    expect((await rawRequest('HEAD', withOrigin(url, server.origin))).status).toBe(200)

    await u.cancel(id)
    const canceledAt = Date.now()
    expect(statusOf(u, id)).toBe('canceled')
    expect(canceled).toEqual([id])
    const head = await rawRequest('HEAD', withOrigin(url, server.origin))
    expect([404, 410]).toContain(head.status)
    expect(await checkpointText(checkpointDir)).not.toContain(new URL(url).pathname)
    expect((await server.storedUploads()).map((s) => s.id)).not.toContain(
      new URL(url).pathname.split('/').pop(),
    )
    // The only request after cancel() resolved would be a stray one: none allowed.
    expect(proxy.requestsFor(url).filter((e) => e.start > canceledAt)).toEqual([])
    expect(proxy.requestsFor(url).filter((e) => e.method === 'DELETE')).toHaveLength(1)
  })

  it('remove cancels an uploading file, drops it from the list, and the next file starts', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: CHUNK, maxConcurrentUploads: 1 })
    const transitions = recordTransitions(u)
    const removed: string[] = []
    u.on('removed', ({ id }) => removed.push(id))
    const [first, second, third] = u.add([big[0]!.path, big[1]!.path, small[0]!.path]) as [
      string,
      string,
      string,
    ]
    await waitUntil(
      () => (u.getFile(first)?.bytesConfirmed ?? 0) >= CHUNK,
      20_000,
      'first file to confirm a chunk',
    )
    const url = u.getFile(first)?.url
    if (!url) throw new Error('no upload URL')

    await u.remove(first)
    expect(removed).toEqual([first])
    expect(u.getFile(first)).toBeUndefined()
    expect(u.getFiles().map((f) => f.id)).toEqual([second, third])
    expect([404, 410]).toContain((await rawRequest('HEAD', withOrigin(url, server.origin))).status)

    // A queued file can be removed too, and never starts.
    await u.remove(third)
    expect(u.getFiles().map((f) => f.id)).toEqual([second])
    await waitForCompletion(u, [second], 30_000)
    expect(firstEntries(transitions, ['uploading'])).toEqual([first, second])
    expect(await server.storedSha256(u.getFile(second)!.url!)).toBe(big[1]!.sha256)
    expect(proxy.log.filter((e) => e.method === 'POST' && e.filename === small[0]!.name)).toEqual([])
  })

  it('move puts the last file first when nothing has started (autoStart off)', async () => {
    const { server, proxy } = stack
    const u = stack.uploader({
      endpoint: proxy.endpoint,
      chunkSize: CHUNK,
      maxConcurrentUploads: 1,
      autoStart: false,
    })
    const transitions = recordTransitions(u)
    const ids = u.add(small.map((f) => f.path)) as [string, string, string, string]
    expect(u.getFiles().map((f) => f.status)).toEqual(['idle', 'idle', 'idle', 'idle'])
    u.move(ids[3], 0)
    expect(u.getFiles().map((f) => f.id)).toEqual([ids[3], ids[0], ids[1], ids[2]])
    u.start()
    await waitForCompletion(u, ids, 30_000)
    expect(firstEntries(transitions, ['uploading'])).toEqual([ids[3], ids[0], ids[1], ids[2]])
    for (const [i, id] of ids.entries()) {
      expect(await server.storedSha256(u.getFile(id)!.url!)).toBe(small[i]!.sha256)
    }
  })

  it('move of a queued file behind a running one makes it the next to start', async () => {
    const { proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: CHUNK, maxConcurrentUploads: 1 })
    const transitions = recordTransitions(u)
    const ids = u.add([big[0]!.path, small[0]!.path, small[1]!.path, small[2]!.path]) as [
      string,
      string,
      string,
      string,
    ]
    await waitUntil(() => statusOf(u, ids[0]) === 'uploading', 10_000, 'first file to upload')
    u.move(ids[3], 1)
    expect(u.getFiles().map((f) => f.id)).toEqual([ids[0], ids[3], ids[1], ids[2]])
    await waitForCompletion(u, ids, 40_000)
    expect(firstEntries(transitions, ['uploading'])).toEqual([ids[0], ids[3], ids[1], ids[2]])
  })
})
