import { randomBytes } from 'node:crypto'
import { expect } from 'vitest'
import { type RawResponse, rawRequest, TUS_HEADERS } from './http.js'
import { sha256 } from './pattern.js'

export const PATCH_HEADERS = { ...TUS_HEADERS, 'Content-Type': 'application/offset+octet-stream' } as const

/** The upload id: the last path segment of an upload URL. */
export function idOf(uploadUrl: string): string {
  const last = new URL(uploadUrl).pathname.split('/').filter(Boolean).pop()
  if (!last) throw new Error(`no id in ${uploadUrl}`)
  return decodeURIComponent(last)
}

export interface Created {
  response: RawResponse
  /** Absolute upload URL from Location. */
  url: string
  id: string
}

/** POST a new upload; fails the test unless the server answers 201 with a Location. */
export async function createUpload(
  endpoint: string,
  opts: { length?: number; defer?: boolean; metadata?: string; headers?: Record<string, string> } = {},
): Promise<Created> {
  const headers: Record<string, string> = { ...TUS_HEADERS, ...opts.headers }
  if (opts.defer) headers['Upload-Defer-Length'] = '1'
  else headers['Upload-Length'] = String(opts.length ?? 0)
  if (opts.metadata !== undefined) headers['Upload-Metadata'] = opts.metadata
  const response = await rawRequest({ method: 'POST', url: endpoint, headers })
  expect(response.status, `POST ${endpoint}: ${response.body}`).toBe(201)
  const location = response.headers.location
  expect(location, 'Location header').toBeTypeOf('string')
  const url = new URL(location!, endpoint).toString()
  return { response, url, id: idOf(url) }
}

export function headUpload(url: string): Promise<RawResponse> {
  return rawRequest({ method: 'HEAD', url, headers: { ...TUS_HEADERS } })
}

/** HEAD and return Upload-Offset as a number (fails the test on a non-200). */
export async function offsetOf(url: string): Promise<number> {
  const res = await headUpload(url)
  expect(res.status, `HEAD ${url}`).toBe(200)
  const value = Number(res.headers['upload-offset'])
  expect(Number.isSafeInteger(value), `Upload-Offset "${res.headers['upload-offset']}"`).toBe(true)
  return value
}

export function patchUpload(
  url: string,
  offset: number,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return rawRequest({
    method: 'PATCH',
    url,
    headers: { ...PATCH_HEADERS, 'Upload-Offset': String(offset), ...headers },
    body,
  })
}

export async function download(url: string): Promise<RawResponse> {
  return rawRequest({ method: 'GET', url, headers: { ...TUS_HEADERS }, timeoutMs: 60_000 })
}

/**
 * Proves the server still works end to end: create + PATCH (two pieces) + HEAD + GET with a
 * sha256 match. Call after anything hostile.
 */
export async function expectServerHealthy(endpoint: string, size = 64 * 1024): Promise<void> {
  const data = randomBytes(size)
  const { url } = await createUpload(endpoint, {
    length: size,
    metadata: `filename ${Buffer.from('health.bin').toString('base64')}`,
  })
  const half = Math.floor(size / 3)
  const first = await patchUpload(url, 0, data.subarray(0, half))
  expect(first.status, `health PATCH 1: ${first.body}`).toBe(204)
  expect(first.headers['upload-offset']).toBe(String(half))
  const second = await patchUpload(url, half, data.subarray(half))
  expect(second.status, `health PATCH 2: ${second.body}`).toBe(204)
  expect(second.headers['upload-offset']).toBe(String(size))
  expect(await offsetOf(url)).toBe(size)
  const got = await download(url)
  expect(got.status, `health GET: ${got.body.slice(0, 200)}`).toBe(200)
  expect(sha256(got.bytes)).toBe(sha256(data))
}
