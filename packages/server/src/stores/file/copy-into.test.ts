import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { copyInto } from './copy-into.js'

describe('copyInto', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'copy-into-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('copies a whole file at a position, in several reads through one small buffer', async () => {
    const source = Buffer.from('0123456789abcdefghij')
    await writeFile(join(dir, 'from'), source)
    await writeFile(join(dir, 'to'), 'XXXX')
    const to = await open(join(dir, 'to'), 'r+')
    try {
      expect(await copyInto(to, 4, join(dir, 'from'), Buffer.alloc(3))).toBe(source.length)
    } finally {
      await to.close()
    }
    expect((await readFile(join(dir, 'to'))).toString()).toBe(`XXXX${source}`)
  })

  it('copies nothing from an empty file and rejects with ENOENT for a missing one', async () => {
    await writeFile(join(dir, 'empty'), '')
    const to = await open(join(dir, 'to'), 'w+')
    try {
      expect(await copyInto(to, 0, join(dir, 'empty'))).toBe(0)
      await expect(copyInto(to, 0, join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' })
    } finally {
      await to.close()
    }
  })
})
