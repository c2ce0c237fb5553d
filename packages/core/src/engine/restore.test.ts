import { describe, expect, it } from 'vitest'
import { createMemoryCheckpointStore } from '../checkpoints/memory-store.js'
import { createFakeTus, flush } from '../test-support/fake-tus.js'
import { createMemoryKeeper } from '../test-support/memory-keeper.js'
import { createTestUploader, file } from '../test-support/uploader.js'

const endpoint = 'http://tus.test/files'
const how = (name: string) =>
  name.startsWith('copy') ? 'copy' : name.startsWith('handle') ? 'handle' : 'ghost'

/** A first session that sends one 100-byte chunk of each file, then ends (a reload). */
async function interruptedSession(extra: { identity?: boolean } = {}) {
  const fake = createFakeTus()
  const store = createMemoryCheckpointStore()
  const keeper = createMemoryKeeper(how)
  const inputs = [file('copy.txt'), file('handle.txt'), file('ghost-1.txt'), file('ghost-2.txt')]
  const first = createTestUploader(fake)({
    endpoint,
    checkpointStore: store,
    fileKeeper: keeper,
    chunkSize: 100,
    maxConcurrentUploads: 4,
    ...extra,
  })
  fake.intercept = (req) => {
    // Only the first chunk of each upload gets through, as if the page went away then.
    const up = fake.uploads.get(req.url)
    return req.method === 'PATCH' && up && up.offset >= 100 ? 503 : undefined
  }
  first.add(inputs)
  await flush(200)
  await first.destroy()
  fake.intercept = undefined
  return { fake, store, keeper, inputs }
}

describe('restoreSession', () => {
  it('adds kept copies at once, lists handles for one permission and ghosts with the server offset', async () => {
    const { fake, store, keeper, inputs } = await interruptedSession()
    expect([...fake.uploads.values()].map((u) => u.offset)).toEqual([100, 100, 100, 100])
    const second = createTestUploader(fake)({
      endpoint,
      checkpointStore: store,
      fileKeeper: keeper,
      chunkSize: 100,
    })
    const restored: string[] = []
    second.on('restored', ({ fingerprint }) => restored.push(fingerprint))
    const heads = fake.log.length
    const list = await second.restoreSession()
    const byName = Object.fromEntries(list.map((r) => [r.name, r]))
    expect(byName['copy.txt']).toMatchObject({ kind: 'ready', size: 1000 })
    expect(byName['copy.txt']?.id).toBeDefined()
    expect(byName['handle.txt']).toMatchObject({ kind: 'access', offset: 100 })
    expect(byName['ghost-1.txt']).toMatchObject({ kind: 'ghost', offset: 100 })
    // One HEAD per upload not resumed at once; the resumed one gets its HEAD from its own run.
    expect(fake.log.slice(heads).filter((r) => r.method === 'HEAD' && !r.url.endsWith('/1'))).toHaveLength(3)

    const access = await second.requestAccess(byName['handle.txt']?.fingerprint as string)
    expect(access?.id).toBeDefined()
    expect(keeper.asked).toHaveLength(1)
    // One pick of both ghosts.
    second.add([inputs[2], inputs[3]] as NonNullable<(typeof inputs)[number]>[])
    await flush(400)
    expect(new Set(restored)).toEqual(new Set(list.map((r) => r.fingerprint)))
    expect(second.getFiles().map((f) => f.status)).toEqual([
      'completed',
      'completed',
      'completed',
      'completed',
    ])
    for (const [i, up] of [...fake.uploads.values()].entries()) expect(up.bytes).toEqual(inputs[i]?.data)
    // At most the first chunk of each file went twice: 1000 bytes + 0 re-sent each.
    const patched = fake.log.filter((r) => r.method === 'PATCH' && r.bodyEnd !== undefined)
    expect(patched.reduce((n, r) => n + ((r.bodyEnd ?? 0) - (r.bodyStart ?? 0)), 0)).toBeLessThanOrEqual(
      4 * 1000 + 4 * 100,
    )
    // Completed: nothing kept, nothing left to restore.
    expect(keeper.kept.size).toBe(0)
    expect(await second.restoreSession()).toEqual([])
  })

  it('without a keeper every unfinished upload comes back as a ghost; files in the list are left out', async () => {
    const { fake, store, inputs } = await interruptedSession()
    const second = createTestUploader(fake)({ endpoint, checkpointStore: store, chunkSize: 100 })
    second.add(inputs[0] as NonNullable<(typeof inputs)[number]>)
    await flush(10)
    const list = await second.restoreSession()
    expect(list.map((r) => [r.name, r.kind, r.offset])).toEqual([
      ['handle.txt', 'ghost', 100],
      ['ghost-1.txt', 'ghost', 100],
      ['ghost-2.txt', 'ghost', 100],
    ])
  })

  it('a cancel forgets what the keeper held', async () => {
    const { fake, store, keeper } = await interruptedSession()
    const second = createTestUploader(fake)({ endpoint, checkpointStore: store, fileKeeper: keeper })
    const [copy] = (await second.restoreSession()).filter((r) => r.kind === 'ready')
    await second.cancel(copy?.id as string)
    expect([...keeper.kept.values()].map((k) => k.file.name)).not.toContain('copy.txt')
  })

  it('a file done before keepAfterMs costs the keeper nothing: no keep, no forget', async () => {
    const fake = createFakeTus()
    const keeper = createMemoryKeeper(how)
    const touched: string[] = []
    const spy = {
      ...keeper,
      keepAfterMs: 60_000,
      keep: async (...a: Parameters<typeof keeper.keep>) => void touched.push(`keep ${a[0]}`),
      forget: async (fp: string) => void touched.push(`forget ${fp}`),
    }
    const up = createTestUploader(fake)({ endpoint, fileKeeper: spy })
    const [id] = up.add(file('copy-fast.txt'))
    await flush(100)
    expect(up.getFile(id as string)?.status).toBe('completed')
    expect(touched).toEqual([])
    await up.destroy()
  })

  it('lists a checkpoint kept also under its content identity once', async () => {
    const { fake, store, keeper } = await interruptedSession({ identity: true })
    const keys = ((await store.list?.()) ?? []).map((e) => e.fingerprint)
    expect(keys.filter((k) => k.startsWith('shuttle-identity:')).length).toBeGreaterThan(0)
    const second = createTestUploader(fake)({
      endpoint,
      checkpointStore: store,
      fileKeeper: keeper,
      chunkSize: 100,
    })
    const list = await second.restoreSession()
    expect(list.map((r) => r.name).sort()).toEqual(['copy.txt', 'ghost-1.txt', 'ghost-2.txt', 'handle.txt'])
    await second.destroy()
  })
})
