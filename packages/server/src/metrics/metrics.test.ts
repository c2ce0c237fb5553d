import { describe, expect, it } from 'vitest'
import { OCTET, startTus } from '../../test/helpers/start-tus.js'
import { createMetrics } from './index.js'

/** One sample's value from the Prometheus text (0 when the series is absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? 0 : Number(line.slice(series.length + 1))
}

describe('createMetrics', () => {
  it('counts creations, finished uploads, stored bytes and failed writes through a real server', async () => {
    const metrics = createMetrics({ processMetrics: false })
    const t = await startTus({ observer: metrics.observer })
    try {
      // One upload in the POST (creation-with-upload), one by PATCH in two halves, one PATCH at a wrong offset.
      const one = await t.req(t.endpoint, {
        method: 'POST',
        headers: { 'Upload-Length': '5', ...OCTET, 'Upload-Metadata': 'filename c2VjcmV0LW5hbWUudHh0' },
        body: 'hello',
      })
      expect(one.status).toBe(201)
      const two = await t.req(t.endpoint, { method: 'POST', headers: { 'Upload-Length': '10' } })
      const url = two.headers.get('location') as string
      for (const [offset, body] of [
        ['0', '01234'],
        ['5', '56789'],
      ] as const) {
        const res = await t.req(url, {
          method: 'PATCH',
          headers: { 'Upload-Offset': offset, ...OCTET },
          body,
        })
        expect(res.status).toBe(204)
      }
      const three = await t.req(t.endpoint, { method: 'POST', headers: { 'Upload-Length': '10' } })
      const wrong = await t.req(three.headers.get('location') as string, {
        method: 'PATCH',
        headers: { 'Upload-Offset': '3', ...OCTET },
        body: 'abc',
      })
      expect(wrong.status).toBe(409)

      const text = await metrics.text()
      expect(sample(text, 'shuttle_uploads_created_total')).toBe(3)
      expect(sample(text, 'shuttle_uploads_finished_total')).toBe(2)
      expect(sample(text, 'shuttle_bytes_received_total')).toBe(15)
      expect(sample(text, 'shuttle_uploads_failed_total{status="409"}')).toBe(1)
      expect(sample(text, 'shuttle_active_patches')).toBe(0)
      // Labels never carry upload ids or names.
      expect(text).not.toContain('secret-name')
      expect(text).not.toContain(url.split('/').pop() as string)
    } finally {
      await t.close()
    }
  })

  it('counts lock waits and takeovers, and times S3 requests by command through the middleware', async () => {
    const metrics = createMetrics({ processMetrics: false })
    metrics.lockEvents({ type: 'waited', ms: 120, acquired: true })
    metrics.lockEvents({ type: 'takeover', how: 'released' })
    metrics.lockEvents({ type: 'waited', ms: 3000, acquired: false })
    let added:
      | ((
          next: (a: unknown) => Promise<unknown>,
          ctx: { commandName?: string },
        ) => (a: unknown) => Promise<unknown>)
      | undefined
    metrics.instrumentS3Client({
      middlewareStack: {
        add: (mw: never) => {
          added = mw
        },
      },
    })
    const ok = added?.(async () => 'out', { commandName: 'UploadPartCommand' })
    expect(await ok?.({})).toBe('out')
    const failing = added?.(async () => Promise.reject(new Error('503 SlowDown')), {
      commandName: 'HeadBucketCommand',
    })
    await expect(failing?.({})).rejects.toThrow('SlowDown')
    const text = await metrics.text()
    expect(sample(text, 'shuttle_lock_waits_total{outcome="acquired"}')).toBe(1)
    expect(sample(text, 'shuttle_lock_waits_total{outcome="gave_up"}')).toBe(1)
    expect(sample(text, 'shuttle_lock_takeovers_total{how="released"}')).toBe(1)
    expect(sample(text, 'shuttle_lock_takeovers_total{how="expired"}')).toBe(0)
    expect(sample(text, 'shuttle_lock_wait_seconds_count')).toBe(2)
    expect(sample(text, 'shuttle_s3_request_duration_seconds_count{command="UploadPart",outcome="ok"}')).toBe(
      1,
    )
    expect(
      sample(text, 'shuttle_s3_request_duration_seconds_count{command="HeadBucket",outcome="error"}'),
    ).toBe(1)
  })

  it('includes the default process metrics unless turned off', async () => {
    expect(await createMetrics().text()).toContain('process_cpu_user_seconds_total')
    expect(await createMetrics({ processMetrics: false }).text()).not.toContain('process_cpu')
  })
})
