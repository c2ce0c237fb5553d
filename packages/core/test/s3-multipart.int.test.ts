import { AbortMultipartUploadCommand } from '@aws-sdk/client-s3'
import { createFileCheckpointStore, createUploader } from '@shuttle/core'
import { describe, expect, it } from 'vitest'
import { objectSha256 } from '../../server/test/helpers/s3-env.js'
import { statusOf, waitForCompletion } from './helpers/engine.js'
import { MiB, waitUntil } from './helpers/files.js'
import { listedParts, recordS3Uploads } from './helpers/s3.js'
import { useS3Stack } from './helpers/s3-stack.js'
import { useSourceFiles } from './helpers/source-files.js'

// S3 multipart straight to Ceph RGW, signed part by part by our server. A recording proxy in front
// of RGW counts part PUTs at the wire (presigned URLs name the proxy).

const PART = 5 * MiB

const s3 = useS3Stack('multipart', { signing: true })
const files = useSourceFiles('s3-multipart', [40 * MiB, 40 * MiB, 40 * MiB])

describe('S3 multipart through the signing server', () => {
  it('3 × 40 MiB, two parts in flight each: pause one mid-file, the others finish, resume sends only missing parts', async () => {
    const { client, bucket, proxy, signing } = s3
    const store = createFileCheckpointStore(`${files.dir}/checkpoints`)
    const up = createUploader({
      protocol: 's3',
      endpoint: signing.base,
      s3: { partSize: PART },
      parallelUploads: 2,
      maxConcurrentUploads: 3,
      checkpointStore: store,
    })
    const refs = recordS3Uploads(up)
    const events: string[] = []
    const confirmedSteps = new Map<string, number[]>()
    up.on('completing', ({ id }) => events.push(`completing ${id}`))
    up.on('completed', ({ id }) => events.push(`completed ${id}`))
    up.on('progress', ({ id, bytesConfirmed, bytesSent }) => {
      expect(bytesSent).toBeGreaterThanOrEqual(bytesConfirmed)
      confirmedSteps.set(id, [...(confirmedSteps.get(id) ?? []), bytesConfirmed])
    })
    // Slow enough to pause mid-file: ~6 MiB/s per part request.
    proxy.setRate(6 * MiB)
    try {
      const [a, b, c] = up.add(files.map((f) => f.path)) as [string, string, string]
      await waitUntil(
        () => (up.getFile(a)?.bytesConfirmed ?? 0) >= 2 * PART,
        60_000,
        'a.bin has 2 parts stored',
      )
      const open = () => {
        const ref = refs.get(a)
        return ref ? proxy.partPuts(ref.uploadId).filter((e) => e.status === null && !e.aborted) : []
      }
      // Part PUTs still on the wire when the pause comes; the pause must cut them.
      await waitUntil(() => open().length > 0, 10_000, 'a part PUT of a.bin in flight')
      const inFlightAtPause = open()
      up.pause(a)
      const pausedAt = Date.now()
      expect(statusOf(up, a)).toBe('paused')
      proxy.setRate(null)
      await waitForCompletion(up, [b, c], 90_000)
      const refA = refs.get(a)
      if (!refA) throw new Error('no upload for a.bin')
      // Paused: no part PUT for a.bin started after the pause, and its parts are still on S3.
      // The proxy runs in this process, so a PUT the engine issued just before the (synchronous)
      // pause is logged a moment after it, and the pause aborts it. A PUT sent after the pause
      // would run to the end (nothing aborts it) or start well after it.
      const afterPause = proxy.partPuts(refA.uploadId).filter((e) => e.start > pausedAt)
      expect(afterPause.filter((e) => !e.aborted || e.start > pausedAt + 250)).toEqual([])
      const kept = await listedParts(client, bucket, refA)
      if (kept === 'missing') throw new Error('pause must keep the multipart upload')
      expect(kept.length).toBeGreaterThanOrEqual(2)
      expect(kept.length).toBeLessThan(8)

      const resumedAt = Date.now()
      up.resume(a)
      await waitForCompletion(up, [a], 90_000)
      const after = proxy.log.filter((e) => e.start >= resumedAt && e.uploadId === refA.uploadId)
      // ListParts first (GET ?uploadId without partNumber), then only the missing parts.
      const firstList = after.findIndex((e) => e.method === 'GET' && e.partNumber === null)
      const firstPut = after.findIndex((e) => e.method === 'PUT')
      expect(firstList).toBeGreaterThanOrEqual(0)
      expect(firstList).toBeLessThan(firstPut)
      const resent = after.filter((e) => e.method === 'PUT').map((e) => e.partNumber as number)
      // Each part on the wire at the pause was either cut and sent again, or stored before the
      // abort landed (then it is among the kept parts, even if the client never read the answer).
      expect(inFlightAtPause.length).toBeGreaterThan(0)
      for (const e of inFlightAtPause) {
        expect(kept.includes(e.partNumber as number) || resent.includes(e.partNumber as number)).toBe(true)
        if (!e.aborted) expect(kept).toContain(e.partNumber)
      }
      expect(resent.filter((n) => kept.includes(n))).toEqual([])
      expect([...kept, ...resent].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])

      // Every object is byte-identical.
      for (const [i, id] of [a, b, c].entries()) {
        const ref = refs.get(id)
        if (!ref) throw new Error(`no upload for file ${i}`)
        expect(await objectSha256(client, bucket, ref.key)).toBe(files[i]?.sha256)
      }
      // Confirmed progress moves in whole parts only; 'completing' precedes 'completed'.
      for (const id of [a, b, c]) {
        for (const n of confirmedSteps.get(id) ?? []) expect(n % PART === 0 || n === 40 * MiB).toBe(true)
        expect(events.indexOf(`completing ${id}`)).toBeGreaterThanOrEqual(0)
        expect(events.indexOf(`completing ${id}`)).toBeLessThan(events.indexOf(`completed ${id}`))
      }
      expect(await store.list?.()).toEqual([])
    } finally {
      await up.destroy()
    }
  })

  it('a paused upload aborted meanwhile (a sweep) starts over once on resume and completes', async () => {
    const { client, bucket, proxy, signing } = s3
    const up = createUploader({
      protocol: 's3',
      endpoint: signing.base,
      s3: { partSize: PART },
      parallelUploads: 2,
    })
    const refs = recordS3Uploads(up)
    const restarted: string[] = []
    up.on('upload-restarted', ({ reason }) => restarted.push(reason))
    proxy.setRate(6 * MiB)
    try {
      const [id] = up.add(files[1]?.path as string) as [string]
      await waitUntil(() => (up.getFile(id)?.bytesConfirmed ?? 0) >= PART, 60_000, 'one part stored')
      up.pause(id)
      proxy.setRate(null)
      const first = refs.get(id)
      if (!first) throw new Error('no upload')
      await client.send(
        new AbortMultipartUploadCommand({ Bucket: bucket, Key: first.key, UploadId: first.uploadId }),
      )
      up.resume(id)
      await waitForCompletion(up, [id], 60_000)
      expect(restarted).toEqual(['not-found'])
      const second = refs.get(id)
      expect(second?.uploadId).not.toBe(first.uploadId)
      expect(await objectSha256(client, bucket, second?.key as string)).toBe(files[1]?.sha256)
    } finally {
      proxy.setRate(null)
      await up.destroy()
    }
  })

  it('cancel aborts the multipart upload (ListParts: 404) and deletes the checkpoint', async () => {
    const { client, bucket, proxy, signing } = s3
    const store = createFileCheckpointStore(`${files.dir}/checkpoints-cancel`)
    const up = createUploader({
      protocol: 's3',
      endpoint: signing.base,
      s3: { partSize: PART },
      parallelUploads: 2,
      checkpointStore: store,
    })
    const refs = recordS3Uploads(up)
    proxy.setRate(6 * MiB)
    try {
      const [id] = up.add(files[0]?.path as string) as [string]
      await waitUntil(() => (up.getFile(id)?.bytesConfirmed ?? 0) >= PART, 60_000, 'one part stored')
      expect((await store.list?.())?.length).toBe(1)
      await up.cancel(id)
      expect(statusOf(up, id)).toBe('canceled')
      const ref = refs.get(id)
      if (!ref) throw new Error('no upload')
      expect(await listedParts(client, bucket, ref)).toBe('missing')
      expect(await store.list?.()).toEqual([])
    } finally {
      proxy.setRate(null)
      await up.destroy()
    }
  })
})
