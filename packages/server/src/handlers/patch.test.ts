import { createHash } from 'node:crypto'
import { readFile, stat } from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { OCTET, startTus, type Tus } from '../../test/helpers/start-tus.js'
import type { Locker } from '../types.js'

let t: Tus | undefined
afterEach(async () => {
  await t?.close()
  t = undefined
})

async function newUpload(
  tus: Tus,
  headers: Record<string, string> = { 'Upload-Length': '10' },
): Promise<string> {
  const res = await tus.req(tus.endpoint, { method: 'POST', headers })
  expect(res.status).toBe(201)
  return res.headers.get('location')!
}

const patch = (tus: Tus, url: string, offset: number, body: string, headers: Record<string, string> = {}) =>
  tus.req(url, { method: 'PATCH', headers: { ...OCTET, 'Upload-Offset': String(offset), ...headers }, body })

const offsetOf = async (tus: Tus, url: string) =>
  Number((await tus.req(url, { method: 'HEAD' })).headers.get('upload-offset'))

/** A PATCH whose body stays open until `end()`; chunked, so the server cannot know its length. */
function openPatch(url: string, offset: number) {
  const req = http.request(url, {
    method: 'PATCH',
    headers: { 'Tus-Resumable': '1.0.0', ...OCTET, 'Upload-Offset': String(offset) },
  })
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        body += c
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
  })
  response.catch(() => {})
  return { req, response }
}

describe('PATCH', () => {
  it('checks Content-Type, Upload-Offset and the offset itself', async () => {
    t = await startTus()
    const url = await newUpload(t)
    expect((await patch(t, url, 0, 'x', { 'Content-Type': 'text/plain' })).status).toBe(415)
    const bad = await t.req(url, {
      method: 'PATCH',
      headers: { ...OCTET, 'Upload-Offset': 'abc' },
      body: 'x',
    })
    expect([bad.status, await bad.text()]).toEqual([400, expect.stringMatching(/Upload-Offset/)])
    expect((await patch(t, url, 0, 'abc')).status).toBe(204)
    const stale = await patch(t, url, 0, 'abc')
    expect(stale.status).toBe(409)
    expect(await stale.text()).toMatch(/HEAD/)
    expect(await offsetOf(t, url)).toBe(3)
  })

  it('refuses a body longer than the rest of the upload before writing any of it', async () => {
    t = await startTus()
    const url = await newUpload(t, { 'Upload-Length': '4' })
    expect((await patch(t, url, 0, 'abcdef')).status).toBe(413)
    expect(await offsetOf(t, url)).toBe(0)
  })

  it('keeps the fitting part of a chunked body that runs past the length and answers 413', async () => {
    t = await startTus()
    const url = await newUpload(t, { 'Upload-Length': '4' })
    const { req, response } = openPatch(url, 0)
    req.write('ab')
    req.end('cdef')
    expect((await response).status).toBe(413)
    expect(await offsetOf(t, url)).toBe(4)
    expect(await readFile(path.join(t.dir, new URL(url).pathname.split('/').pop()!), 'utf8')).toBe('abcd')
  })

  it('takes Upload-Length once on a deferred upload', async () => {
    t = await startTus({ maxSize: 100 })
    const url = await newUpload(t, { 'Upload-Defer-Length': '1' })
    const head = await t.req(url, { method: 'HEAD' })
    expect(head.headers.get('upload-defer-length')).toBe('1')
    expect(head.headers.get('upload-length')).toBeNull()
    expect((await patch(t, url, 0, 'abc')).status).toBe(204)
    expect((await patch(t, url, 3, 'd', { 'Upload-Length': '2' })).status).toBe(400)
    expect((await patch(t, url, 3, 'd', { 'Upload-Length': '101' })).status).toBe(413)
    expect((await patch(t, url, 3, 'd', { 'Upload-Length': '4' })).status).toBe(204)
    expect((await t.req(url, { method: 'HEAD' })).headers.get('upload-length')).toBe('4')
    expect((await patch(t, url, 4, '', { 'Upload-Length': '5' })).status).toBe(400)
    expect(await (await fetch(url)).text()).toBe('abcd')
  })

  it('accepts an empty PATCH on a finished upload and refuses more bytes', async () => {
    t = await startTus()
    const url = await newUpload(t, { 'Upload-Length': '2' })
    expect((await patch(t, url, 0, 'ab')).status).toBe(204)
    expect((await patch(t, url, 2, '')).status).toBe(204)
    const more = await patch(t, url, 2, 'c')
    expect([more.status, await more.text()]).toEqual([413, expect.stringMatching(/complete/)])
  })

  it('verifies Upload-Checksum: 400 for unknown algorithms, 460 Checksum Mismatch and nothing kept on mismatch', async () => {
    t = await startTus()
    const url = await newUpload(t)
    const sum = (alg: string, s: string) => `${alg} ${createHash(alg).update(s).digest('base64')}`
    expect((await patch(t, url, 0, 'abc', { 'Upload-Checksum': 'crc32 AAAAAA==' })).status).toBe(400)
    expect((await patch(t, url, 0, 'abc', { 'Upload-Checksum': 'sha1 !!!' })).status).toBe(400)
    const mismatch = await patch(t, url, 0, 'abc', { 'Upload-Checksum': sum('sha256', 'abd') })
    expect([mismatch.status, mismatch.statusText]).toEqual([460, 'Checksum Mismatch'])
    expect(await offsetOf(t, url)).toBe(0)
    for (const alg of ['sha1', 'sha256', 'md5']) {
      const offset = await offsetOf(t, url)
      expect((await patch(t, url, offset, 'abc', { 'Upload-Checksum': sum(alg, 'abc') })).status).toBe(204)
    }
    expect(await offsetOf(t, url)).toBe(9)
  })

  it('lets a new PATCH take over an upload whose request is still streaming', async () => {
    t = await startTus()
    const url = await newUpload(t, { 'Upload-Length': '10' })
    const first = openPatch(url, 0)
    first.req.write('abcd')
    // Watch the data file, not HEAD: a HEAD would itself take the upload over.
    const data = path.join(t.dir, new URL(url).pathname.split('/').pop()!)
    const onDisk = async () => (await stat(data)).size
    for (let i = 0; i < 100 && (await onDisk()) < 4; i++) await new Promise((r) => setTimeout(r, 10))
    const second = await patch(t, url, 4, 'efghij')
    expect(second.status).toBe(204)
    expect(second.headers.get('upload-offset')).toBe('10')
    expect((await first.response).status).toBe(423)
    first.req.destroy()
    expect(await (await fetch(url)).text()).toBe('abcdefghij')
  })

  it('answers 423 when the lock cannot be had within lockTimeout', async () => {
    const stuck: Locker = {
      newLock: () => ({
        lock: (signal) =>
          new Promise((_, reject) =>
            signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
          ),
        unlock: async () => {},
      }),
    }
    t = await startTus({ locker: stuck, lockTimeout: 50 })
    const url = await newUpload(t)
    const res = await patch(t, url, 0, 'abc')
    expect(res.status).toBe(423)
    expect(await res.text()).toMatch(/retry/)
  })

  it('DELETE during a streaming PATCH stops it and removes the upload', async () => {
    t = await startTus()
    const url = await newUpload(t)
    const first = openPatch(url, 0)
    first.req.write('abc')
    for (let i = 0; i < 100 && (await offsetOf(t, url)) < 3; i++) await new Promise((r) => setTimeout(r, 10))
    expect((await t.req(url, { method: 'DELETE' })).status).toBe(204)
    expect((await first.response).status).toBe(423)
    first.req.destroy()
    expect((await t.req(url, { method: 'HEAD' })).status).toBe(404)
  })
})
