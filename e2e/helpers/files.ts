import { createHash, randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'

export const MiB = 1024 * 1024

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

/** Random bytes written to `dir/name`; files on disk keep a stable lastModified across picks (resume). */
export async function makeFile(
  dir: string,
  name: string,
  size: number,
): Promise<{ path: string; sha: string; size: number }> {
  const bytes = randomBytes(size)
  const path = join(dir, name)
  await writeFile(path, bytes)
  return { path, sha: sha256(bytes), size }
}

/** Downloads a finished upload and hashes it (`headers`: e.g. the upload token, when required). */
export async function fetchSha(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; sha: string; size: number }> {
  const res = await fetch(url, { headers })
  const bytes = new Uint8Array(await res.arrayBuffer())
  return { status: res.status, sha: sha256(bytes), size: bytes.length }
}

/** The server's view of an upload: offset, or the HTTP status when it is gone. */
export async function headOffset(url: string): Promise<{ status: number; offset: number | null }> {
  const res = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })
  const o = res.headers.get('upload-offset')
  return { status: res.status, offset: o === null ? null : Number(o) }
}
