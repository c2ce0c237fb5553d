import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openPathSource } from './path-source.js'

const MiB = 1024 * 1024
let dir: string
let file: string
let bytes: Buffer
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shuttle-path-source-'))
  file = join(dir, 'data.bin')
  bytes = randomBytes(2 * MiB + 123)
  await writeFile(file, bytes)
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const collect = async (chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>) => {
  const parts: Uint8Array[] = []
  for await (const c of chunks) parts.push(c)
  return parts
}
const source = () => openPathSource(file, { name: 'data.bin', type: '' })

describe('path source', () => {
  it('reads, streams and positionally reads the same bytes of a range', async () => {
    const src = await source()
    expect(src.info.size).toBe(bytes.length)
    // Buffer.equals: vitest's deep equality walks a MiB byte by byte.
    expect(Buffer.from(await src.read(100, MiB + 7)).equals(bytes.subarray(100, MiB + 7))).toBe(true)
    const parts = await collect(src.stream?.(5, bytes.length) ?? [])
    expect(parts.map((p) => p.length)).toEqual([MiB, MiB, 123 - 5])
    expect(Buffer.concat(parts).equals(bytes.subarray(5))).toBe(true)
    expect(parts[0]?.buffer).not.toBe(parts[1]?.buffer) // a consumer may keep each chunk
    const reader = await src.openReader?.()
    const into = new Uint8Array(1000)
    expect(await reader?.read(into, bytes.length - 10)).toBe(10)
    expect(Buffer.from(into.subarray(0, 10)).equals(bytes.subarray(-10))).toBe(true)
    expect(await reader?.read(into, bytes.length)).toBe(0)
    await reader?.close()
    expect(await collect(src.stream?.(7, 7) ?? [])).toEqual([])
  })

  it('says the file changed when it got shorter since it was added', async () => {
    const src = await source()
    await truncate(file, MiB)
    await expect(src.read(0, bytes.length)).rejects.toMatchObject({ code: 'ERR_SOURCE_CHANGED' })
    await expect(collect(src.stream?.(0, bytes.length) ?? [])).rejects.toMatchObject({
      code: 'ERR_SOURCE_CHANGED',
      message: expect.stringMatching(/got shorter/),
    })
  })

  it('names the path when it is missing or not a file', async () => {
    await expect(openPathSource(join(dir, 'nope'), { name: 'nope', type: '' })).rejects.toMatchObject({
      code: 'ERR_SOURCE_READ',
      message: expect.stringContaining('nope'),
    })
    await expect(openPathSource(dir, { name: 'd', type: '' })).rejects.toThrow(/is not a file/)
    const src = await source()
    await rm(file)
    await expect(src.read(0, 10)).rejects.toMatchObject({ code: 'ERR_SOURCE_READ' })
  })
})
