import { readdir } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { objectSha256 } from '../../server/test/helpers/s3-env.js'
import { expectBuiltEngine, runChild } from './helpers/child.js'
import { MiB, waitUntil } from './helpers/files.js'
import { listedParts } from './helpers/s3.js'
import { useS3Stack } from './helpers/s3-stack.js'
import { useSourceFile } from './helpers/source-files.js'

// A Node process uploading over S3 multipart is SIGKILLed mid-file and started again with the same
// checkpoint directory: it must continue the same multipart upload and send only the missing parts.

const SIZE = 40 * MiB
const PART = 5 * MiB

const s3 = useS3Stack('restart', { signing: true })
const file = useSourceFile('s3-restart', 'big.bin', SIZE)

describe('S3 multipart across a process crash', () => {
  it('a restarted process continues the same multipart upload and sends only the missing parts', async () => {
    expectBuiltEngine()
    const { client, bucket, proxy, signing } = s3
    // Own directory and start time per attempt: CI runs a failed socket test once more in this file.
    const startedAt = Date.now()
    const checkpoints = `${file.dir}/checkpoints-${startedAt}`
    const args = [signing.base, file.path, checkpoints, String(PART)]
    proxy.setRate(8 * MiB)
    const first = runChild('s3-upload-child.mjs', args)
    await waitUntil(
      () => first.events.some((e) => (e.bytesConfirmed ?? 0) >= 3 * PART),
      60_000,
      'the child to store 3 parts',
    )
    first.proc.kill('SIGKILL')
    expect((await first.exited).signal).toBe('SIGKILL')
    const killedAt = Date.now()
    proxy.setRate(null)
    const url = first.events.find((e) => e.event === 'upload-created')?.url
    if (!url) throw new Error('the first run never created an upload')
    const u = new URL(url)
    const ref = {
      key: u.searchParams.get('key') ?? '',
      uploadId: decodeURIComponent(u.pathname.split('/').pop() ?? ''),
    }
    // A part whose whole body had reached the proxy may still be stored by RGW after the kill;
    // take the snapshot once ListParts stops changing.
    let kept = await listedParts(client, bucket, ref)
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setTimeout(r, 300))
      const again = await listedParts(client, bucket, ref)
      if (JSON.stringify(again) === JSON.stringify(kept)) break
      kept = again
    }
    if (kept === 'missing') throw new Error('the kill must leave the multipart upload in place')
    expect(kept.length).toBeGreaterThanOrEqual(3)
    expect(kept.length).toBeLessThan(8)

    const second = runChild('s3-upload-child.mjs', args)
    const end = await second.exitedWithin(60_000, 'second run')
    expect(end, JSON.stringify(second.events.filter((e) => e.event !== 'progress'))).toEqual({
      code: 0,
      signal: null,
    })
    expect(
      second.events.filter((e) => e.event === 'upload-created' || e.event === 'upload-restarted'),
    ).toEqual([])

    const resent = proxy
      .partPuts(ref.uploadId)
      .filter((e) => e.start >= killedAt)
      .map((e) => e.partNumber as number)
    const why = `kept after the kill: ${kept.join(',')}; sent by the second run: ${resent.join(',')}`
    // Only missing parts are sent: none that S3 held, none twice, at most the ones it lacked.
    // (The object's sha256 below proves nothing is missing; a part stored late by a request the
    // kill cut after its body had passed the proxy may be in neither list.)
    expect(
      resent.filter((n) => kept.includes(n)),
      why,
    ).toEqual([])
    expect(new Set(resent).size, why).toBe(resent.length)
    expect(resent.length, why).toBeLessThanOrEqual(8 - kept.length)
    const creates = proxy.log.filter(
      (e) => e.method === 'POST' && e.uploadId === null && e.start >= startedAt,
    )
    expect(creates).toHaveLength(1)
    expect(await objectSha256(client, bucket, ref.key)).toBe(file.sha256)
    // Done: no checkpoint left, nor the temp file of one the kill may have cut mid-write.
    expect(await readdir(checkpoints)).toEqual([])
  })
})
