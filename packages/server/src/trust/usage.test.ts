import { describe, expect, it } from 'vitest'
import type { DataStore, UploadInfo } from '../types.js'
import { subjectKey, UsageTracker } from './usage.js'

const logger = { error: () => {} }

function storeListing(uploads: Partial<UploadInfo>[]): DataStore & { listed: number } {
  const store = {
    listed: 0,
    async *list() {
      store.listed++
      for (const u of uploads) yield u as UploadInfo
    },
  }
  return store as unknown as DataStore & { listed: number }
}

describe('UsageTracker', () => {
  it('counts files, bytes and unfinished uploads per subject through their life', () => {
    const t = new UsageTracker(storeListing([]), logger, { scanOwners: false, keepFinished: true })
    t.add('a', 'k', 10, false)
    t.add('b', 'k', 5, true)
    t.add('a', 'k', 10, false) // twice is once
    expect(t.usage('k')).toEqual({ files: 2, bytes: 15, unfinished: 1 })
    t.resized('a', 20)
    t.finished('a')
    expect(t.usage('k')).toEqual({ files: 2, bytes: 25, unfinished: 0 })
    t.removed('a')
    t.removed('b')
    t.removed('unknown')
    expect(t.usage('k')).toEqual({ files: 0, bytes: 0, unfinished: 0 })
  })

  it('forgets finished uploads when only concurrency is limited, so memory stays bounded', () => {
    const t = new UsageTracker(storeListing([]), logger, { scanOwners: false, keepFinished: false })
    t.add('a', 'k', 10, false)
    t.add('done', 'k', 10, true)
    expect(t.usage('k')).toEqual({ files: 1, bytes: 10, unfinished: 1 })
    t.finished('a')
    expect(t.usage('k')).toEqual({ files: 0, bytes: 0, unfinished: 0 })
  })

  it('counts what the store lists with an owner, once', async () => {
    const store = storeListing([
      { id: 'x', owner: 'alice', size: 4, offset: 4 },
      { id: 'y', owner: 'alice', size: 6, offset: 1 },
      { id: 'z', size: 6, offset: 0 },
    ])
    const t = new UsageTracker(store, logger, { scanOwners: true, keepFinished: true })
    await Promise.all([t.ready(), t.ready()])
    await t.ready()
    expect(store.listed).toBe(1)
    expect(t.usage(subjectKey('alice'))).toEqual({ files: 2, bytes: 10, unfinished: 1 })
  })
})
