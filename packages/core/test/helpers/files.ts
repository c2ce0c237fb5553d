import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, open, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const MiB = 1024 * 1024

export interface TestFile {
  readonly path: string
  readonly name: string
  readonly size: number
  readonly sha256: string
}

/** A fresh directory under the OS temp dir; remove it with `removeDir`. */
export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `shuttle-${prefix}-`))
}

export async function removeDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true })
}

/** Writes `size` random bytes in 1 MiB pieces, hashing them on the way. */
export async function writeRandomFile(dir: string, name: string, size: number): Promise<TestFile> {
  const path = join(dir, name)
  const hash = createHash('sha256')
  const handle = await open(path, 'w')
  try {
    for (let written = 0; written < size; ) {
      const piece = randomBytes(Math.min(MiB, size - written))
      hash.update(piece)
      await handle.write(piece)
      written += piece.length
    }
  } finally {
    await handle.close()
  }
  return { path, name, size, sha256: hash.digest('hex') }
}

export async function writeRandomFiles(
  dir: string,
  sizes: readonly number[],
  prefix = 'file',
): Promise<TestFile[]> {
  const files: TestFile[] = []
  for (const [i, size] of sizes.entries())
    files.push(await writeRandomFile(dir, `${prefix}-${i + 1}.bin`, size))
  return files
}

export function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')))
  })
}

/**
 * The content identity sha256-4m (SHA-256 over each 4 MiB block's digest, a block's digest being the
 * SHA-256 over its 512 KiB leaves' SHA-256s), written out with node:crypto independently of the
 * engine: the tests' oracle.
 */
export function identityOfBytes(bytes: Uint8Array): Buffer {
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest()
  const tree = (b: Uint8Array, size: number, leaf: (part: Uint8Array) => Buffer) => {
    const parts: Buffer[] = []
    for (let at = 0; at < b.length; at += size) parts.push(leaf(b.subarray(at, at + size)))
    return sha(Buffer.concat(parts))
  }
  return tree(bytes, 4 * MiB, (block) => tree(block, MiB / 2, sha))
}

/** identityOfBytes of a file, base64 as on the wire. */
export async function identityOfFile(path: string): Promise<string> {
  return identityOfBytes(await readFile(path)).toString('base64')
}

export function sha256OfBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Deterministic PRNG (mulberry32) so random cut points are reproducible from a seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Polls `check` every 20 ms until it returns true, or throws after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(20)
  }
}
