import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkpointStoreSuite, sampleCheckpoint } from '../test-support/store-suite.js'
import { createFileCheckpointStore } from './file-checkpoint-store.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shuttle-cp-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('file checkpoint store', () => {
  checkpointStoreSuite(
    () => createFileCheckpointStore(join(dir, 'nested', 'store')),
    // The on-disk format users already have: <sha256(fingerprint)>.json holding both.
    async (_store, fingerprint, checkpoint) => {
      const store = join(dir, 'nested', 'store')
      await mkdir(store, { recursive: true })
      const name = `${createHash('sha256').update(fingerprint).digest('hex')}.json`
      await writeFile(join(store, name), JSON.stringify({ fingerprint, checkpoint }))
    },
  )

  it('survives a new store instance (process restart) and leaves no temp files', async () => {
    await createFileCheckpointStore(dir).set('fp', sampleCheckpoint())
    expect(await createFileCheckpointStore(dir).get('fp')).toEqual(sampleCheckpoint())
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('treats a corrupt file as no checkpoint', async () => {
    const store = createFileCheckpointStore(dir)
    await store.set('fp', sampleCheckpoint())
    const [name] = await readdir(dir)
    await writeFile(join(dir, name as string), '{"fingerprint":"fp","checkpoint":{"si')
    expect(await store.get('fp')).toBeUndefined()
    expect(await store.list?.()).toEqual([])
  })

  it('removes the temp file a killed process left, with the checkpoint, and only that one', async () => {
    const store = createFileCheckpointStore(dir)
    await store.set('fp', sampleCheckpoint())
    await store.set('other', sampleCheckpoint('u2'))
    const names = await readdir(dir)
    for (const name of names) await writeFile(join(dir, `${name}.0123456789ab.tmp`), '{"fingerprint":"f')
    await writeFile(join(dir, 'notes.txt'), 'the user keeps this')
    await store.delete('fp')
    const left = (await readdir(dir)).sort()
    expect(left).toHaveLength(3)
    expect(left).toContain('notes.txt')
    expect(await store.get('other')).toEqual(sampleCheckpoint('u2'))
    expect(left.filter((n) => n.endsWith('.tmp'))).toHaveLength(1)
  })

  it('writes concurrently without losing the last value', async () => {
    const store = createFileCheckpointStore(dir)
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set('fp', sampleCheckpoint(`u${i}`))))
    expect((await store.get('fp'))?.url).toMatch(/^u\d+$/)
    expect(await readdir(dir)).toHaveLength(1)
  })
})
