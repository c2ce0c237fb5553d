import { describe, expect, it } from 'vitest'
import { waitForCompletion } from './helpers/engine.js'
import { MiB, waitUntil } from './helpers/files.js'
import { useSourceFiles } from './helpers/source-files.js'
import { useStack } from './helpers/stack.js'

// Speed, ETA and totals over a real socket whose rate the proxy fixes at 8 MiB/s per request.
const SIZE = 24 * MiB
const CHUNK = 2 * MiB
const RATE = 8 * MiB

const files = useSourceFiles('progress-src', [SIZE, SIZE / 2])

describe('progress numbers against a known rate', () => {
  const stack = useStack('shuttle', { bytesPerSecond: RATE })

  it('speed tracks the wire rate, eta follows from it, and totals add up', async () => {
    const { proxy } = stack
    const u = stack.uploader({ endpoint: proxy.endpoint, chunkSize: CHUNK, maxConcurrentUploads: 1 })
    const totals: Array<{ bytesConfirmed: number; bytesSent: number; bytesTotal: number }> = []
    u.on('total-progress', (p) => totals.push(p))
    const [id] = u.add(files[0]!.path) as [string]
    const [second] = u.add(files[1]!.path) as [string]
    await waitUntil(() => (u.getFile(id)?.bytesConfirmed ?? 0) >= SIZE / 2, 20_000, 'half of the file')

    const f = u.getFile(id)!
    expect(f.speed, `speed ${(f.speed / MiB).toFixed(2)} MiB/s`).toBeGreaterThan(0.5 * RATE)
    expect(f.speed).toBeLessThan(2 * RATE)
    expect(f.eta).not.toBeNull()
    expect(f.eta!).toBeCloseTo((SIZE - f.bytesSent) / f.speed, 1)
    expect(f.percent).toBeGreaterThan(40)
    expect(f.percent).toBeLessThan(100)

    await waitForCompletion(u, [id, second], 30_000)
    const last = totals.at(-1)!
    expect(last.bytesTotal).toBe(SIZE + SIZE / 2)
    expect(last.bytesConfirmed).toBe(SIZE + SIZE / 2)
    for (let i = 1; i < totals.length; i++) {
      expect(totals[i]!.bytesConfirmed).toBeGreaterThanOrEqual(totals[i - 1]!.bytesConfirmed)
    }
    expect(u.getFile(id)?.eta).toBe(0)
    expect(u.getFile(id)?.percent).toBe(100)
  })
})
