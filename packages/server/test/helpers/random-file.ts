import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createReadStream, createWriteStream } from 'node:fs'

export const MIB = 1024 * 1024

/** Writes `size` random bytes to `file` in 1 MiB pieces (never the whole file in memory); returns its sha256. */
export async function writeRandomFile(file: string, size: number): Promise<string> {
  const hash = createHash('sha256')
  const out = createWriteStream(file)
  for (let left = size; left > 0; ) {
    const piece = randomBytes(Math.min(MIB, left))
    hash.update(piece)
    left -= piece.length
    if (!out.write(piece)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'close')
  return hash.digest('hex')
}

/** sha256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file, { highWaterMark: MIB })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** sha256 and length of a URL's body, streamed. */
export async function sha256Url(
  url: string,
): Promise<{ status: number; sha256: string; length: number; headers: Headers }> {
  const res = await fetch(url)
  const hash = createHash('sha256')
  let length = 0
  if (res.body) {
    for await (const chunk of res.body) {
      hash.update(chunk)
      length += chunk.length
    }
  }
  return { status: res.status, sha256: hash.digest('hex'), length, headers: res.headers }
}
