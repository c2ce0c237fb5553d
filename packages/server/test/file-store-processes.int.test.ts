import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { FileStore, newUploadId } from '@shuttle/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// Two processes, each with its own FileStore on one directory (the FileLocker is the default),
// write one upload at once with different bytes. Runs the built package: `tsc -b` first (npm test does).
const WRITER = fileURLToPath(new URL('./fixtures/store-writer.mjs', import.meta.url))
const SIZE = 2 * 1024 * 1024

interface Writer {
  child: ChildProcessWithoutNullStreams
  next(): Promise<Record<string, unknown>>
}

function startWriter(dir: string): Writer {
  const child = spawn(process.execPath, [WRITER, dir], { stdio: ['pipe', 'pipe', 'pipe'] })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  return {
    child,
    next: async () => {
      const { value, done } = await lines.next()
      if (done) throw new Error(`writer ${child.pid} exited`)
      return JSON.parse(value) as Record<string, unknown>
    },
  }
}

let dir: string
let writers: Writer[] = []
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shuttle-2proc-'))
  writers = [startWriter(dir), startWriter(dir)]
  for (const w of writers) expect(await w.next()).toHaveProperty('ready')
})
afterAll(async () => {
  for (const w of writers) w.child.kill('SIGKILL')
  await rm(dir, { recursive: true, force: true })
})

describe('FileStore shared by two processes', () => {
  it('two processes writing one upload at once: the bytes are one writer’s, never a mix (20 rounds)', async () => {
    const store = new FileStore({ directory: dir })
    const outcomes: string[] = []
    for (let round = 0; round < 20; round++) {
      const id = newUploadId()
      await store.create({
        id,
        size: SIZE,
        metadata: {},
        createdAt: Date.now(),
        expiresAt: undefined,
        concat: undefined,
      })
      const bytes = [0xaa, 0xbb]
      for (const [k, w] of writers.entries()) {
        w.child.stdin.write(`${JSON.stringify({ id, byte: bytes[k], size: SIZE })}
`)
      }
      const results = await Promise.all(writers.map((w) => w.next()))
      outcomes.push(results.map((r) => r.result).join('+'))
      expect(
        results.map((r) => r.result).filter((r) => r === 'error'),
        JSON.stringify(results),
      ).toEqual([])
      const stored = await readFile(join(dir, id))
      const upload = await store.getUpload(id)
      expect(stored.length).toBe(upload.offset)
      expect(upload.offset).toBeGreaterThan(0)
      const only = Buffer.alloc(stored.length, stored[0] as number)
      // Hash check: the stored bytes equal a run of one writer's byte.
      expect(
        createHash('sha256').update(stored).digest('hex'),
        `round ${round}: ${JSON.stringify(results)}`,
      ).toBe(createHash('sha256').update(only).digest('hex'))
    }
    // The race really happened: in some rounds one writer made the other stop or wait.
    expect(outcomes.some((o) => o.includes('conflict'))).toBe(true)
  })
})
