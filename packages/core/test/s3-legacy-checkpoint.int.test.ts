import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createFileCheckpointStore, createUploader } from '@shuttle/core'
import { describe, expect, it } from 'vitest'
import { objectSha256 } from '../../server/test/helpers/s3-env.js'
import { waitForCompletion } from './helpers/engine.js'
import { MiB, waitUntil } from './helpers/files.js'
import { listedParts } from './helpers/s3.js'
import { useS3Stack } from './helpers/s3-stack.js'
import { useSourceFile } from './helpers/source-files.js'

// An S3 checkpoint as an older Shuttle wrote it (`s3: { key, uploadId, partSize, parts }` beside
// `url`, no `transport`) must continue the same multipart upload, sending only the missing parts.
const PART = 5 * MiB
const SIZE = 30 * MiB

const s3 = useS3Stack('legacy', { signing: true })
const file = useSourceFile('s3-legacy', 'legacy.bin', SIZE)

describe('S3 checkpoints of an older Shuttle still resume', () => {
  it('continues the same multipart upload; parts S3 holds are not sent again', async () => {
    const { client, bucket, proxy, signing } = s3
    const dir = `${file.dir}/checkpoints`
    const options = { protocol: 's3' as const, endpoint: signing.base, s3: { partSize: PART } }
    proxy.setRate(8 * MiB)
    const first = createUploader({ ...options, checkpointStore: createFileCheckpointStore(dir) })
    const [id1] = first.add(file.path) as [string]
    await waitUntil(() => (first.getFile(id1)?.bytesConfirmed ?? 0) >= 2 * PART, 60_000, 'two parts stored')
    await first.destroy()
    proxy.setRate(null)

    const [name] = (await readdir(dir)).filter((n) => n.endsWith('.json'))
    const entry = JSON.parse(await readFile(join(dir, name as string), 'utf8'))
    const { transport, state, ...envelope } = entry.checkpoint
    expect(transport).toBe('s3')
    await writeFile(
      join(dir, name as string),
      JSON.stringify({ fingerprint: entry.fingerprint, checkpoint: { ...envelope, s3: state } }),
    )
    const held = await listedParts(client, bucket, state)
    if (held === 'missing') throw new Error('destroy must keep the multipart upload')
    expect(held.length).toBeGreaterThanOrEqual(2)

    const resumedAt = Date.now()
    const second = createUploader({ ...options, checkpointStore: createFileCheckpointStore(dir) })
    const created: string[] = []
    const restarted: string[] = []
    second.on('upload-created', ({ url }) => created.push(url))
    second.on('upload-restarted', ({ oldUrl }) => restarted.push(oldUrl))
    try {
      const [id2] = second.add(file.path) as [string]
      await waitForCompletion(second, [id2], 90_000)
    } finally {
      await second.destroy()
    }
    expect(created).toEqual([])
    expect(restarted).toEqual([])
    const resent = proxy
      .partPuts(state.uploadId)
      .filter((e) => e.start >= resumedAt && e.partNumber !== null && held.includes(e.partNumber))
    expect(resent).toEqual([])
    expect(await objectSha256(client, bucket, state.key)).toBe(file.sha256)
  })
})
