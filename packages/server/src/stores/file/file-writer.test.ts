import { closeSync, openSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createWriteGuard, FileWriter, SYNC_BATCH, type WriteGuard } from './file-writer.js'

let dir: string
let file: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'shuttle-writer-'))
  file = path.join(dir, 'data')
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const chunks = (n: number, size: number) =>
  Array.from({ length: n }, (_, i) => Buffer.alloc(size, String.fromCharCode(97 + (i % 26))))

function writerFor(guard: WriteGuard, start = 0, highWaterMark = 1024) {
  const fd = openSync(file, 'w')
  const events = { drains: 0, errors: [] as unknown[] }
  const writer = new FileWriter(fd, start, {
    guard,
    highWaterMark,
    onDrain: () => events.drains++,
    onError: (err) => events.errors.push(err),
  })
  return { fd, writer, events }
}

describe('createWriteGuard', () => {
  it("moves to the thread pool for the cool-down after 3 slow writes within 2 s; 'thread-pool' always", () => {
    let now = 0
    const guard = createWriteGuard('auto', { slowMs: 20, coolDownMs: 1000, now: () => now })
    expect(guard.threadPool()).toBe(false)
    guard.took(5)
    guard.took(25) // one slow write: a preempted thread, not a slow disk
    expect(guard.threadPool()).toBe(false)
    now = 2500
    guard.took(25) // the first one is out of the window by now
    now = 2600
    guard.took(30)
    expect(guard.threadPool()).toBe(false)
    now = 2700
    guard.took(40)
    expect(guard.threadPool()).toBe(true)
    now = 3699
    expect(guard.threadPool()).toBe(true)
    now = 3701
    expect(guard.threadPool()).toBe(false)
    expect(createWriteGuard('thread-pool').threadPool()).toBe(true)
  })

  it('stays on the main thread when slow writes are few among fast ones (a preempted thread)', () => {
    let now = 0
    const guard = createWriteGuard('auto', { slowMs: 20, now: () => now })
    // 3 slow writes within 2 s, 30 fast ones between each: under 1 in 8 of the writes.
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 30; j++) guard.took(1)
      now += 100
      guard.took(35)
    }
    expect(guard.threadPool()).toBe(false)
    // Then the disk stalls: write after write is slow, and the share is reached.
    for (let i = 0; i < 20 && !guard.threadPool(); i++) {
      now += 100
      guard.took(35)
    }
    expect(guard.threadPool()).toBe(true)
  })
})

describe('FileWriter', () => {
  it('writes on the main thread, in order, from the start position', async () => {
    const took: number[] = []
    const { fd, writer, events } = writerFor({ threadPool: () => false, took: (ms) => took.push(ms) }, 3)
    for (const c of chunks(5, 100)) expect(writer.write(c)).toBe(true)
    await writer.finished()
    closeSync(fd)
    expect(readFileSync(file).subarray(3).toString()).toBe(chunks(5, 100).join(''))
    expect(took).toHaveLength(1) // gathered, then one write when finished() is called
    expect(events.drains).toBe(0)
  })

  it(`on the main thread: one write per ${SYNC_BATCH / 1024} KiB gathered, the rest at finished()`, async () => {
    const took: number[] = []
    const { fd, writer } = writerFor({ threadPool: () => false, took: (ms) => took.push(ms) })
    const pieces = chunks(10, SYNC_BATCH / 4) // 2.5 batches
    for (const c of pieces) expect(writer.write(c)).toBe(true)
    expect(took).toHaveLength(2)
    await writer.finished()
    closeSync(fd)
    expect(took).toHaveLength(3)
    expect(readFileSync(file).equals(Buffer.concat(pieces))).toBe(true)
  })

  it('a piece alone is written by the end of the turn of the event loop it came in', async () => {
    const took: number[] = []
    const { fd, writer } = writerFor({ threadPool: () => false, took: (ms) => took.push(ms) })
    writer.write(Buffer.from('trickle'))
    expect(took).toHaveLength(0)
    await new Promise((resolve) => setImmediate(resolve))
    expect(took).toHaveLength(1)
    expect(readFileSync(file).toString()).toBe('trickle')
    await writer.finished()
    closeSync(fd)
    expect(took).toHaveLength(1)
  })

  it('a lease lost with a batch gathered writes none of it, and finished() rejects', async () => {
    let held = true
    const fd = openSync(file, 'w')
    const errors: unknown[] = []
    const writer = new FileWriter(fd, 0, {
      guard: createWriteGuard('auto'),
      lease: {
        lost: new AbortController().signal,
        assertHeld: () => {
          if (!held) throw new Error('lost')
        },
      },
      highWaterMark: 1024,
      onDrain: () => {},
      onError: (err) => errors.push(err),
    })
    expect(writer.write(Buffer.from('gathered'))).toBe(true)
    held = false
    await expect(writer.finished()).rejects.toThrow('lost')
    closeSync(fd)
    expect(readFileSync(file).length).toBe(0)
    expect(errors).toHaveLength(1)
  })

  it('on the thread pool: batches, asks for a pause past the high-water mark, drains, keeps order', async () => {
    const { fd, writer, events } = writerFor(createWriteGuard('thread-pool'), 0, 250)
    const answers = chunks(6, 100).map((c) => writer.write(c))
    // The first goes out at once; the rest queue, and the third queued one crosses 250 bytes.
    expect(answers).toEqual([true, true, true, false, false, false])
    await writer.finished()
    closeSync(fd)
    expect(readFileSync(file).toString()).toBe(chunks(6, 100).join(''))
    expect(events.drains).toBeGreaterThan(0)
  })

  it('a slow main-thread write sends the following ones to the thread pool, bytes intact', async () => {
    const guard = createWriteGuard('auto', { slowMs: -1, slowCount: 1, coolDownMs: 60_000 })
    const { fd, writer } = writerFor(guard, 0, 1 << 20)
    const first = Buffer.alloc(SYNC_BATCH, 'f')
    writer.write(first)
    expect(guard.threadPool()).toBe(true)
    for (const c of chunks(50, 1000)) writer.write(c)
    await writer.finished()
    closeSync(fd)
    expect(readFileSync(file).toString()).toBe(`${first}${chunks(50, 1000).join('')}`)
  })

  for (const mode of ['auto', 'thread-pool'] as const) {
    it(`${mode}: a failing write reports the error once, refuses more, and finished() rejects`, async () => {
      const { fd, writer, events } = writerFor(createWriteGuard(mode))
      closeSync(fd) // every write now fails with EBADF
      writer.write(Buffer.from('x'))
      await expect(writer.finished()).rejects.toMatchObject({ code: 'EBADF' })
      expect(writer.write(Buffer.from('y'))).toBe(false)
      expect(events.errors).toHaveLength(1)
    })
  }
})
